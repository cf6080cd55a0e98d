package io.chainkv.master.cli;

import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.node.backup.BackupManifest;
import io.chainkv.node.backup.BackupRestorer;
import io.chainkv.node.backup.BackupTaker;
import io.chainkv.node.store.StoreConfig;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.DatagramSocket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code chainctl backup} and {@code chainctl restore}: an online, consistent backup of a chain to a directory,
 * and the seeding of a new cluster's first node from one.
 */
public final class BackupCommands
{
    private BackupCommands()
    {
    }

    /**
     * Takes a backup while the cluster serves.
     */
    @Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Writes a consistent copy of the chain's committed state, at a stated seq, to a new directory " +
            "(store files + MANIFEST.properties with checksums) while the cluster serves.")
    public static final class Backup extends CtlCommand
    {
        @Option(names = "--dir", required = true, paramLabel = "<dir>", description = "New or empty directory.")
        private Path dir;

        @Option(names = "--endpoint", paramLabel = "<host:port>", description = "Where the tail streams the copy " +
            "to; must be reachable from the tail (default: 127.0.0.1 and a free port).")
        private String endpoint;

        @Option(names = "--max-entries", defaultValue = "" + StoreConfig.DEFAULT_MAX_ENTRIES,
            description = "Entry limit of the copy; at least the nodes' (default: ${DEFAULT-VALUE}).")
        private long maxEntries;

        @Option(names = "--max-data-bytes", defaultValue = "" + StoreConfig.DEFAULT_MAX_DATA_BYTES,
            description = "Data byte limit of the copy; at least the nodes' (default: ${DEFAULT-VALUE}).")
        private long maxDataBytes;

        // Not --timeout-ms: that is how long to try to reach ZooKeeper, as in every other subcommand.
        @Option(names = "--copy-timeout-ms", defaultValue = "300000", paramLabel = "<ms>",
            description = "How long the copy may take (default: ${DEFAULT-VALUE}).")
        private long copyTimeoutMs;

        public Integer call() throws Exception
        {
            // The taker is a node with a ZooKeeper session of its own (the session and connection timeouts it has
            // always had); only where ZooKeeper is comes from the connection options.
            final ZooKeeperSettings zooKeeper = connection.reachableZooKeeper(
                ZooKeeperSettings.DEFAULT_SESSION_TIMEOUT_MS * 5, ZooKeeperSettings.DEFAULT_CONNECTION_TIMEOUT_MS);
            final String takerEndpoint = null != endpoint ? endpoint : "127.0.0.1:" + freeUdpPort();
            final BackupManifest manifest = BackupTaker.take(zooKeeper, connection.cluster, dir, takerEndpoint,
                new StoreConfig().maxEntries(maxEntries).maxDataBytes(maxDataBytes), Duration.ofMillis(copyTimeoutMs));
            ctl.out().println("backup of cluster " + connection.cluster + " written to " + dir +
                ": committed state at seq " + manifest.seq() + ", " + manifest.entries() + " entries");
            ctl.out().flush();
            return ChainCtl.EXIT_OK;
        }
    }

    /**
     * Seeds the first node of a new cluster from a backup.
     */
    @Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Checks a backup's checksums and copies it into the empty data directory of the first node " +
            "of a new cluster (--zk and --cluster name that new cluster); start that node (and the others, empty) " +
            "and the cluster is built from it.")
    public static final class Restore extends CtlCommand
    {
        @Option(names = "--backup", required = true, paramLabel = "<dir>", description = "A backup directory.")
        private Path backup;

        @Option(names = "--data-dir", required = true, paramLabel = "<dir>",
            description = "The first node's data directory: absent or empty.")
        private Path dataDir;

        public Integer call() throws Exception
        {
            final ClusterPaths paths = connection.paths();
            try (CuratorFramework client = connection.connect())
            {
                if (null != client.checkExists().forPath(paths.configPath()))
                {
                    throw new CtlException(ChainCtl.EXIT_ERROR, "cluster '" + connection.cluster + "' already " +
                        "has a configuration in ZooKeeper (" + paths.configPath() + "): a backup seeds only a new, " +
                        "empty cluster; choose another cluster name or remove " + paths.clusterPath() + " first");
                }
            }

            final BackupManifest manifest = BackupRestorer.restore(backup, dataDir);
            ctl.out().println("restored " + manifest + " into " + dataDir);
            ctl.out().println("start the node with --data-dir " + dataDir + " " +
                BackupRestorer.nodeOptionsFor(manifest) + " --cluster " + connection.cluster +
                "; the cluster is built from it and the other nodes join it");
            ctl.out().flush();
            return ChainCtl.EXIT_OK;
        }
    }

    private static int freeUdpPort() throws SocketException
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}
