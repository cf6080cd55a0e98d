package io.chainkv.master.cli;

import ch.qos.logback.classic.Level;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ZooKeeperSettings;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The operator's command line for a cluster in ZooKeeper:
 * <pre>
 * chainctl status [--zk host:port,...] [--cluster name] [--json] [--wait-ms MS [--min-epoch N]]
 * </pre>
 * {@code status} shows the cluster epoch, each chain's epoch and members head to tail with their roles, which
 * members are still registered, the spares, and the masters with the leader. It only reads ZooKeeper.
 * <p>
 * Exit status: {@value #EXIT_OK} ok, {@value #EXIT_ERROR} bad usage or another error,
 * {@value #EXIT_NO_ZOOKEEPER} ZooKeeper cannot be reached, {@value #EXIT_NO_CONFIGURATION} no configuration yet
 * (or, with {@code --wait-ms}, none at {@code --min-epoch} in time)
 * (the rest of the status is still printed). A script waits for a cluster, or for a reconfiguration, with
 * {@code --wait-ms}: one process that watches, rather than a loop of JVM starts.
 */
@Command(
    name = "chainctl",
    mixinStandardHelpOptions = true,
    description = "Inspects a ChainKV cluster in ZooKeeper.",
    subcommands = { ChainCtl.Status.class, BackupCommands.Backup.class, BackupCommands.Restore.class })
public final class ChainCtl
{
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_NO_ZOOKEEPER = 2;
    public static final int EXIT_NO_CONFIGURATION = 3;

    /** Default ensemble: a local ZooKeeper on its standard port. */
    public static final String DEFAULT_ZK = "127.0.0.1:2181";

    /** Default cluster name, the same as the master's and the node's. */
    public static final String DEFAULT_CLUSTER = "chainkv";

    private PrintStream out;
    private PrintStream err;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs one command.
     *
     * @param args command line.
     * @param out  where the status goes.
     * @param err  where error messages go.
     * @return the exit status.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final ChainCtl ctl = new ChainCtl();
        ctl.out = out;
        ctl.err = err;
        return new CommandLine(ctl)
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .setParameterExceptionHandler((ex, args1) ->
            {
                err.println("chainctl: " + ex.getMessage() + " (see chainctl --help)");
                return EXIT_ERROR;
            })
            .setExecutionExceptionHandler((ex, cmd, parseResult) ->
            {
                err.println("chainctl: " + (null != ex.getMessage() ? ex.getMessage() : ex.toString()));
                return EXIT_ERROR;
            })
            .execute(args);
    }

    /**
     * Where the cluster is: shared by every subcommand.
     */
    static final class Connection
    {
        @Option(names = "--zk", defaultValue = DEFAULT_ZK, paramLabel = "<host:port,...>",
            description = "ZooKeeper connect string (default: ${DEFAULT-VALUE}).")
        String connectString;

        @Option(names = "--cluster", defaultValue = DEFAULT_CLUSTER, paramLabel = "<name>",
            description = "Cluster name (default: ${DEFAULT-VALUE}).")
        String cluster;

        @Option(names = "--timeout-ms", defaultValue = "5000", paramLabel = "<ms>",
            description = "How long to try to reach ZooKeeper (default: ${DEFAULT-VALUE}).")
        int timeoutMs;

        @Option(names = "--verbose", description = "Show ZooKeeper's and Curator's log on stderr.")
        boolean verbose;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Prints the cluster epoch, each chain head to tail with roles, spares and masters.")
    static final class Status implements Callable<Integer>
    {
        @CommandLine.ParentCommand
        private ChainCtl ctl;

        @Mixin
        private Connection connection;

        @Option(names = "--json", description = "Print one JSON object instead of the table.")
        private boolean json;

        @Option(names = "--wait-ms", defaultValue = "0", paramLabel = "<ms>",
            description = "Wait up to this long for a configuration with at least --min-epoch (default: no wait).")
        private long waitMs;

        @Option(names = "--min-epoch", defaultValue = "1", paramLabel = "<epoch>",
            description = "With --wait-ms: the cluster epoch to wait for (default: ${DEFAULT-VALUE}).")
        private long minEpoch;

        public Integer call() throws Exception
        {
            final ClusterPaths paths = new ClusterPaths(connection.cluster);
            if (!connection.verbose)
            {
                // The ZooKeeper client logs every refused connection; the one line below says it better.
                ((ch.qos.logback.classic.Logger)LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.OFF);
            }
            final int sessionTimeoutMs = Math.max(ZooKeeperSettings.DEFAULT_SESSION_TIMEOUT_MS, connection.timeoutMs);
            try (CuratorFramework client = new ZooKeeperSettings(connection.connectString, sessionTimeoutMs,
                Math.max(1, Math.min(connection.timeoutMs, sessionTimeoutMs))).newClient())
            {
                client.start();
                if (!client.blockUntilConnected(connection.timeoutMs, TimeUnit.MILLISECONDS))
                {
                    ctl.err.println("chainctl: cannot reach ZooKeeper at " + connection.connectString + " within " +
                        connection.timeoutMs + " ms; check that it runs (scripts/local-cluster.sh status) and that " +
                        "--zk names it");
                    return EXIT_NO_ZOOKEEPER;
                }
                final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
                ClusterStatus status = ClusterStatus.read(client, paths);
                while (!reached(status) && System.nanoTime() < deadlineNs)
                {
                    Thread.sleep(50);
                    status = ClusterStatus.read(client, paths);
                }
                ctl.out.print(json ? status.toJson() + "\n" : status.toText());
                ctl.out.flush();
                if (null == status.config())
                {
                    return EXIT_NO_CONFIGURATION;
                }
                if (!reached(status))
                {
                    ctl.err.println("chainctl: epoch " + status.config().epoch() + " after " + waitMs +
                        " ms, not yet " + minEpoch);
                    return EXIT_NO_CONFIGURATION;
                }
                return EXIT_OK;
            }
        }

        private boolean reached(final ClusterStatus status)
        {
            return null != status.config() && status.config().epoch() >= minEpoch;
        }
    }
}
