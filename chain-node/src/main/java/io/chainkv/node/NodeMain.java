package io.chainkv.node;

import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.config.LoggingDefaults;
import io.chainkv.node.replication.ReplicationAgent;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.protocol.ProtocolLimits;
import io.chainkv.transport.TransportSettings;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Starts a storage node from the command line and runs it until SIGTERM or SIGINT.
 * <p>
 * When the node serves it prints one line to stdout, {@code chainkv-node ready node=... role=... epoch=...
 * endpoint=...}, which scripts and tests wait for.
 */
@Command(name = "chainkv-node", mixinStandardHelpOptions = true,
    description = "Runs one ChainKV storage node of a chain.")
public final class NodeMain implements Callable<Integer>
{
    @Option(names = "--config", description = "Static chain configuration file (cluster.name, chain.id, epoch, " +
        "members): no ZooKeeper, no failover. Give either this or --zk.")
    private Path configFile;

    @Option(names = "--zk", description = "ZooKeeper connect string (host:port,...): the node registers there and " +
        "serves the role the master gives it.")
    private String zkConnect;

    @Option(names = "--cluster", description = "Cluster name in ZooKeeper (default: ${DEFAULT-VALUE}).")
    private String clusterName = "chainkv";

    @Option(names = "--endpoint", description = "host:port this node receives on (ZooKeeper mode).")
    private String endpoint;

    @Option(names = "--session-timeout-ms", description = "ZooKeeper session timeout; failures are detected " +
        "about this long after a node dies (default: ${DEFAULT-VALUE}).")
    private int sessionTimeoutMs = ZooKeeperSettings.DEFAULT_SESSION_TIMEOUT_MS;

    @Option(names = "--node-id", required = true, description = "This node's id, unique in the cluster.")
    private String nodeId;

    @Option(names = "--data-dir", required = true, description = "Directory of the node's store.")
    private Path dataDir;

    @Option(names = "--aeron-dir", description = "Media driver directory (default: a unique one under /dev/shm).")
    private File aeronDir;

    @Option(names = "--max-entries", description = "Keys (tombstones included) the store admits (default: ${DEFAULT-VALUE}).")
    private long maxEntries = 1_000_000;

    @Option(names = "--max-data-bytes", description = "Key and value bytes the store admits (default: ${DEFAULT-VALUE}).")
    private long maxDataBytes = 1024L * 1024 * 1024;

    @Option(names = "--max-key-bytes", description = "Largest key (default: ${DEFAULT-VALUE}).")
    private int maxKeyBytes = ProtocolLimits.DEFAULT_MAX_KEY_LENGTH;

    @Option(names = "--max-value-bytes", description = "Largest value (default: ${DEFAULT-VALUE}).")
    private int maxValueBytes = ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        LoggingDefaults.apply();
        final CommandLine commandLine = new CommandLine(new NodeMain());
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            cmd.getErr().println("chainkv-node: " + ex.getMessage());
            return 2;
        });
        System.exit(commandLine.execute(args));
    }

    public Integer call() throws Exception
    {
        if ((null == configFile) == (null == zkConnect))
        {
            throw new IllegalArgumentException("give either --config <file> (static chain) or --zk <connect> (ZooKeeper mode)");
        }

        final StoreConfig storeConfig = new StoreConfig()
            .dataDir(dataDir)
            .maxEntries(maxEntries)
            .maxDataBytes(maxDataBytes)
            .maxKeyLength(maxKeyBytes)
            .maxValueLength(maxValueBytes);
        final TransportSettings settings = TransportSettings.fromSystemProperties();

        // The barrier's shutdown hook holds the JVM until close(), which runs after the node has closed.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            ChainNode node = null != configFile ? launchStatic(storeConfig, settings) : launchInZooKeeper(storeConfig, settings))
        {
            System.out.flush();
            barrier.await();
        }
        return 0;
    }

    private ChainNode launchStatic(final StoreConfig storeConfig, final TransportSettings settings) throws Exception
    {
        final ChainConfig config = ChainConfig.load(configFile);
        final int index = config.indexOf(nodeId);
        if (index < 0)
        {
            throw new IllegalArgumentException("node '" + nodeId + "' is not in " + configFile + " (members: " +
                config.members() + ")");
        }
        final ChainNode node = ChainNode.launch(nodeId, config, storeConfig, aeronDir, settings);
        System.out.println("chainkv-node ready node=" + nodeId + " role=" + ReplicationAgent.roleIn(config, nodeId) +
            " epoch=" + config.epoch() + " endpoint=" + config.members().get(index).endpoint());
        return node;
    }

    private ChainNode launchInZooKeeper(final StoreConfig storeConfig, final TransportSettings settings)
    {
        if (null == endpoint)
        {
            throw new IllegalArgumentException("--endpoint host:port is required with --zk");
        }
        final ChainMember self = new ChainMember(nodeId, endpoint); // checks the id and host:port, with a message
        final ZooKeeperSettings zooKeeper = new ZooKeeperSettings(
            zkConnect, sessionTimeoutMs, Math.min(ZooKeeperSettings.DEFAULT_CONNECTION_TIMEOUT_MS, sessionTimeoutMs));
        final ChainNode node = ChainNode.launch(
            self.nodeId(), self.endpoint(), clusterName, zooKeeper, storeConfig, aeronDir, settings);
        System.out.println("chainkv-node ready node=" + nodeId + " endpoint=" + endpoint + " zk=" + zkConnect +
            " cluster=" + clusterName);
        return node;
    }
}
