package io.chainkv.master;

import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.LoggingDefaults;
import io.chainkv.master.zk.EmbeddedZooKeeper;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one ChainKV master until it is stopped (SIGTERM/SIGINT), optionally with an embedded ZooKeeper server.
 * <p>
 * Prints {@code chainkv-master ready ...} on standard output once it has joined the election, so scripts can
 * wait for that line.
 */
@Command(
    name = "chainkv-master",
    mixinStandardHelpOptions = true,
    description = "Runs a ChainKV master: elects a leader among masters and keeps the chain configuration in ZooKeeper.")
public final class MasterMain implements Callable<Integer>
{
    static
    {
        // Before the first logger below exists.
        LoggingDefaults.apply();
    }

    private static final Logger LOG = LoggerFactory.getLogger(MasterMain.class);

    static final class ZooKeeperChoice
    {
        @Option(names = "--zk", paramLabel = "HOST:PORT,...", required = true,
            description = "Connect string of an external ZooKeeper ensemble.")
        String connectString;

        @Option(names = "--embedded-zk", paramLabel = "PORT", required = true,
            description = "Start a ZooKeeper server in this process on PORT (0: any free port) and use it.")
        Integer embeddedPort;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    ZooKeeperChoice zk;

    @Option(names = "--cluster", defaultValue = "chainkv", description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--replication-factor", defaultValue = "3",
        description = "Chain length the master builds at bootstrap (default: ${DEFAULT-VALUE}).")
    int replicationFactor;

    @Option(names = "--heal", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Give a chain shorter than the replication factor a spare node, which joins at the tail by a " +
            "state transfer (default: on; --no-heal leaves chains short).")
    boolean heal;

    @Option(names = "--session-timeout-ms", defaultValue = "" + ZooKeeperSettings.DEFAULT_SESSION_TIMEOUT_MS,
        description = "ZooKeeper session timeout (default: ${DEFAULT-VALUE}).")
    int sessionTimeoutMs;

    @Option(names = "--connection-timeout-ms", defaultValue = "" + ZooKeeperSettings.DEFAULT_CONNECTION_TIMEOUT_MS,
        description = "ZooKeeper connection timeout (default: ${DEFAULT-VALUE}).")
    int connectionTimeoutMs;

    @Option(names = "--tick-ms", defaultValue = "" + EmbeddedZooKeeper.DEFAULT_TICK_MS,
        description = "Tick of the embedded ZooKeeper server (default: ${DEFAULT-VALUE}).")
    int tickMs;

    @Option(names = "--data-dir", description = "Data directory of the embedded ZooKeeper (default: a temporary " +
        "directory deleted on exit).")
    Path dataDir;

    @Option(names = "--master-id", description = "Id of this master in the election (default: host-pid).")
    String masterId;

    private final CountDownLatch stopped = new CountDownLatch(1);

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new MasterMain()).execute(args));
    }

    public Integer call() throws Exception
    {
        final ClusterPaths paths = new ClusterPaths(cluster);
        final String id = null != masterId ? masterId : defaultMasterId();
        EmbeddedZooKeeper embedded = null;
        CuratorFramework client = null;
        ChainMaster master = null;
        final CountDownLatch exited = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            stopped.countDown();
            try
            {
                exited.await(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "chainkv-master-shutdown"));
        try
        {
            final String connectString;
            if (null != zk.embeddedPort)
            {
                embedded = EmbeddedZooKeeper.start(zk.embeddedPort, dataDir, tickMs, Duration.ofSeconds(30));
                connectString = embedded.connectString();
            }
            else
            {
                connectString = zk.connectString;
            }
            final ZooKeeperSettings settings = new ZooKeeperSettings(connectString, sessionTimeoutMs, connectionTimeoutMs);
            client = settings.newClient();
            client.start();
            if (!client.blockUntilConnected(30, TimeUnit.SECONDS))
            {
                LOG.error("could not connect to ZooKeeper at {}", connectString);
                return 2;
            }
            master = new ChainMaster(client, paths, id, new ChainPlanner(replicationFactor, heal, sessionTimeoutMs / 2));
            master.start();
            System.out.println("chainkv-master ready id=" + id + " cluster=" + cluster + " zk=" + connectString +
                " replicationFactor=" + replicationFactor + " sessionTimeoutMs=" + sessionTimeoutMs +
                " negotiatedSessionTimeoutMs=" +
                client.getZookeeperClient().getZooKeeper().getSessionTimeout());
            System.out.flush();
            stopped.await();
            LOG.info("master {} stopping", id);
            return 0;
        }
        finally
        {
            if (null != master)
            {
                master.close();
            }
            if (null != client)
            {
                client.close();
            }
            if (null != embedded)
            {
                embedded.close();
            }
            exited.countDown();
        }
    }

    private static String defaultMasterId()
    {
        String host;
        try
        {
            host = java.net.InetAddress.getLocalHost().getHostName();
        }
        catch (final java.io.IOException ex)
        {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
