package io.chainkv.node;

import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.config.FatalErrors;
import io.chainkv.config.LoggingDefaults;
import io.chainkv.config.ProcessSettings;
import io.chainkv.config.Settings;
import io.chainkv.config.SettingsCommandLine;
import io.chainkv.node.membership.NodeIdTakenException;
import io.chainkv.node.replication.ReplicationAgent;
import io.chainkv.node.replication.ReplyRouter;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.node.transfer.TombstoneCollector;
import io.chainkv.security.KeyFileWatch;
import io.chainkv.security.KeyRole;
import io.chainkv.transport.TransportSettings;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Path;

/**
 * Starts a storage node from the command line and runs it until SIGTERM or SIGINT. Its settings are
 * {@link NodeSettings}: flags, system properties or a {@code --settings} file; the effective values are logged at
 * start.
 * <p>
 * When the node serves it prints one line to stdout, {@code chainkv-node ready node=... endpoint=...}, which
 * scripts and tests wait for; with a metrics endpoint the line ends with {@code metrics=host:port}.
 */
public final class NodeMain
{
    private static final String COMMAND = "chainkv-node";

    /**
     * Exit status when another live process holds the node id: nothing was changed, and restarting will not help
     * until that process stops (2 is any other start-up failure).
     */
    public static final int NODE_ID_TAKEN_EXIT = 4;

    private NodeMain()
    {
    }

    /**
     * @param args command line; {@code --help} lists every setting.
     */
    public static void main(final String[] args)
    {
        LoggingDefaults.apply();
        // An Error on any thread halts the node: a node whose replication thread died must not keep its place.
        FatalErrors.installHaltOnError(COMMAND);
        System.exit(run(args));
    }

    private static int run(final String[] args)
    {
        final Settings settings;
        try
        {
            settings = SettingsCommandLine.parse(COMMAND, "Runs one ChainKV storage node of a chain.",
                NodeSettings.ALL, args, System.out);
            if (null == settings)
            {
                return 0;
            }
        }
        catch (final Exception ex)
        {
            System.err.println(COMMAND + ": " + ex.getMessage());
            return 2;
        }
        try
        {
            launchAndAwaitShutdown(settings);
            return 0;
        }
        catch (final NodeIdTakenException ex)
        {
            System.err.println(COMMAND + ": " + ex.getMessage());
            return NODE_ID_TAKEN_EXIT;
        }
        catch (final Exception ex)
        {
            System.err.println(COMMAND + ": " + ex.getMessage());
            return 2;
        }
    }

    private static void launchAndAwaitShutdown(final Settings settings) throws Exception
    {
        final String nodeId = settings.require(NodeSettings.NODE_ID);
        final Path dataDir = Path.of(settings.require(NodeSettings.DATA_DIR));
        final String staticConfig = settings.get(NodeSettings.STATIC_CONFIG);
        final String zkConnect = settings.get(ProcessSettings.ZK);
        if ((null == staticConfig) == (null == zkConnect))
        {
            throw new IllegalArgumentException("give either --config <file> (static chain) or --zk <connect> (ZooKeeper mode)");
        }
        final Logger log = LoggerFactory.getLogger(NodeMain.class);
        log.info(settings.describe("node=" + nodeId + " effective configuration"));

        final StoreConfig storeConfig = new StoreConfig()
            .dataDir(dataDir)
            .maxEntries(settings.getLong(NodeSettings.MAX_ENTRIES))
            .maxDataBytes(settings.getLong(NodeSettings.MAX_DATA_BYTES))
            .maxKeyLength(settings.getInt(NodeSettings.MAX_KEY_BYTES))
            .maxValueLength(settings.getInt(NodeSettings.MAX_VALUE_BYTES))
            .maxClients(settings.getInt(NodeSettings.MAX_CLIENT_SESSIONS));
        final TransportSettings transport = TransportSettings.from(settings);
        // Before anything starts: a node without the member key could not speak to its neighbours (docs/security.md).
        transport.newSigner(KeyRole.MEMBER);
        final String aeronDirName = settings.get(NodeSettings.AERON_DIR);
        final File aeronDir = null == aeronDirName ? null : new File(aeronDirName);
        // The collector reads its retention where the data path creates it.
        System.setProperty(TombstoneCollector.RETENTION_PROP,
            Long.toString(settings.getLong(NodeSettings.TOMBSTONE_RETENTION_MS)));
        System.setProperty(ReplicationAgent.JOINER_BACKLOG_PROP,
            Long.toString(settings.getLong(NodeSettings.JOINER_BACKLOG_MAX_BYTES)));
        System.setProperty(ReplicationAgent.SESSION_TIMEOUT_PROP,
            Long.toString(settings.getLong(NodeSettings.CLIENT_SESSION_TIMEOUT_MS)));
        System.setProperty(ReplyRouter.MAX_PUBLICATIONS_PROP,
            Integer.toString(settings.getInt(NodeSettings.MAX_REPLY_PUBLICATIONS)));
        System.setProperty(ReplicationAgent.MAX_CHUNKED_BYTES_PROP,
            Long.toString(settings.getLong(NodeSettings.MAX_CHUNKED_BYTES)));
        System.setProperty(ReplyRouter.IDLE_TIMEOUT_PROP,
            Long.toString(settings.getLong(NodeSettings.REPLY_IDLE_TIMEOUT_MS)));
        final int metricsPort = settings.getInt(ProcessSettings.METRICS_PORT);
        final ChainNode.MetricsAddress metrics = ProcessSettings.METRICS_OFF == metricsPort ? null :
            new ChainNode.MetricsAddress(settings.require(ProcessSettings.METRICS_HOST), metricsPort);

        // The barrier's shutdown hook holds the JVM until close(), which runs after the node has closed.
        // Keys issued, revoked or rotated in the key file take effect without a restart (docs/security.md).
        try (KeyFileWatch keyFileWatch = null == transport.keyFile() ? null :
                new KeyFileWatch(transport.keyFile(), "chainkv-key-file-watch-" + nodeId);
            ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            ChainNode node = null != staticConfig ?
                launchStatic(nodeId, Path.of(staticConfig), storeConfig, aeronDir, transport, metrics) :
                launchInZooKeeper(nodeId, settings, storeConfig, aeronDir, transport, metrics))
        {
            System.out.flush();
            barrier.await();
        }
    }

    private static ChainNode launchStatic(
        final String nodeId,
        final Path configFile,
        final StoreConfig storeConfig,
        final File aeronDir,
        final TransportSettings transport,
        final ChainNode.MetricsAddress metrics) throws Exception
    {
        final ChainConfig config = ChainConfig.load(configFile);
        final int index = config.indexOf(nodeId);
        if (index < 0)
        {
            throw new IllegalArgumentException("node '" + nodeId + "' is not in " + configFile + " (members: " +
                config.members() + ")");
        }
        final ChainNode node = ChainNode.launch(nodeId, config, storeConfig, aeronDir, transport, metrics);
        System.out.println("chainkv-node ready node=" + nodeId + " role=" + ReplicationAgent.roleIn(config, nodeId) +
            " epoch=" + config.epoch() + " endpoint=" + config.members().get(index).endpoint() + metricsSuffix(node));
        return node;
    }

    private static ChainNode launchInZooKeeper(
        final String nodeId,
        final Settings settings,
        final StoreConfig storeConfig,
        final File aeronDir,
        final TransportSettings transport,
        final ChainNode.MetricsAddress metrics)
    {
        final String endpoint = settings.get(NodeSettings.ENDPOINT);
        if (null == endpoint)
        {
            throw new IllegalArgumentException("--endpoint host:port is required with --zk");
        }
        final ChainMember self = new ChainMember(nodeId, endpoint); // checks the id and host:port, with a message
        final ZooKeeperSettings zooKeeper = ProcessSettings.zooKeeper(settings, ZooKeeperPrincipal.NODE);
        final String clusterName = settings.require(ProcessSettings.CLUSTER);
        final ChainNode node = ChainNode.launch(
            self.nodeId(), self.endpoint(), clusterName, zooKeeper, storeConfig, aeronDir, transport, metrics);
        System.out.println("chainkv-node ready node=" + nodeId + " endpoint=" + endpoint + " zk=" +
            zooKeeper.connectString() + " cluster=" + clusterName + metricsSuffix(node));
        return node;
    }

    private static String metricsSuffix(final ChainNode node)
    {
        return null == node.metricsEndpoint() ? "" : " metrics=" + node.metricsEndpoint();
    }
}
