package io.chainkv.node;

import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
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
    @Option(names = "--config", required = true, description = "Chain configuration file (cluster.name, chain.id, epoch, members).")
    private Path configFile;

    @Option(names = "--node-id", required = true, description = "This node's id in the configuration.")
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
        final ChainConfig config = ChainConfig.load(configFile);
        final int index = config.indexOf(nodeId);
        if (index < 0)
        {
            throw new IllegalArgumentException("node '" + nodeId + "' is not in " + configFile + " (members: " +
                config.members() + ")");
        }
        final ChainMember self = config.members().get(index);

        final StoreConfig storeConfig = new StoreConfig()
            .dataDir(dataDir)
            .maxEntries(maxEntries)
            .maxDataBytes(maxDataBytes)
            .maxKeyLength(maxKeyBytes)
            .maxValueLength(maxValueBytes);

        // The barrier's shutdown hook holds the JVM until close(), which runs after the node has closed.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            ChainNode node = ChainNode.launch(nodeId, config, storeConfig, aeronDir, TransportSettings.fromSystemProperties()))
        {
            System.out.println("chainkv-node ready node=" + nodeId + " role=" + node.role() + " epoch=" +
                config.epoch() + " endpoint=" + self.endpoint());
            System.out.flush();
            barrier.await();
        }
        return 0;
    }
}
