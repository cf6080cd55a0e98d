package io.chainkv.master;

import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ZooKeeperAcls;
import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.FatalErrors;
import io.chainkv.config.LoggingDefaults;
import io.chainkv.config.ProcessSettings;
import io.chainkv.config.Settings;
import io.chainkv.config.SettingsCommandLine;
import io.chainkv.master.metrics.MasterMetrics;
import io.chainkv.metrics.MetricsServer;
import io.chainkv.master.zk.AclGuard;
import io.chainkv.master.zk.EmbeddedZooKeeper;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one ChainKV master until it is stopped (SIGTERM/SIGINT), optionally with an embedded ZooKeeper server.
 * Its settings are {@link MasterSettings}: flags, system properties or a {@code --settings} file; the effective
 * values are logged at start.
 * <p>
 * Prints {@code chainkv-master ready ...} on standard output once it has joined the election, so scripts can
 * wait for that line; with a metrics endpoint the line ends with {@code metrics=host:port}.
 */
public final class MasterMain
{
    static
    {
        // Before the first logger below exists.
        LoggingDefaults.apply();
    }

    private static final Logger LOG = LoggerFactory.getLogger(MasterMain.class);
    private static final String COMMAND = "chainkv-master";

    private MasterMain()
    {
    }

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        // An Error on any thread halts the master: a leader whose evaluation thread died keeps leading, and nothing
        // would splice dead nodes out (docs/failures.md, "The replication thread dies or is stuck").
        FatalErrors.installHaltOnError(COMMAND);
        final Settings settings;
        try
        {
            settings = SettingsCommandLine.parse(COMMAND, "Runs a ChainKV master: elects a leader among masters and " +
                "keeps the chain configuration in ZooKeeper.", MasterSettings.ALL, args, System.out);
        }
        catch (final Exception ex)
        {
            System.err.println(COMMAND + ": " + ex.getMessage());
            System.exit(2);
            return;
        }
        if (null == settings)
        {
            System.exit(0);
        }
        int status;
        try
        {
            status = run(settings);
        }
        catch (final Exception ex)
        {
            LOG.error("master failed", ex);
            System.err.println(COMMAND + ": " + ex.getMessage());
            status = 2;
        }
        System.exit(status);
    }

    private static int run(final Settings settings) throws Exception
    {
        final boolean embeddedZk = null != settings.get(MasterSettings.EMBEDDED_ZK);
        if (embeddedZk == (null != settings.get(ProcessSettings.ZK)))
        {
            throw new IllegalArgumentException("give either --zk <host:port,...> or --embedded-zk <port>");
        }
        final String cluster = settings.require(ProcessSettings.CLUSTER);
        final ClusterPaths paths = new ClusterPaths(cluster);
        final String id = null != settings.get(MasterSettings.MASTER_ID) ?
            settings.get(MasterSettings.MASTER_ID) : defaultMasterId();
        final int replicationFactor = settings.getInt(MasterSettings.REPLICATION_FACTOR);
        final int sessionTimeoutMs = settings.getInt(ProcessSettings.SESSION_TIMEOUT_MS);
        LOG.info(settings.describe("master " + id + " effective configuration"));

        final CountDownLatch stopped = new CountDownLatch(1);
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

        EmbeddedZooKeeper embedded = null;
        CuratorFramework client = null;
        ChainMaster master = null;
        MasterMetrics metrics = null;
        AclGuard aclGuard = null;
        try
        {
            final String connectString;
            if (embeddedZk)
            {
                final String dataDir = settings.get(MasterSettings.ZK_DATA_DIR);
                embedded = EmbeddedZooKeeper.start(settings.require(MasterSettings.EMBEDDED_ZK_HOST),
                    settings.getInt(MasterSettings.EMBEDDED_ZK),
                    null == dataDir ? null : Path.of(dataDir), settings.getInt(MasterSettings.TICK_MS),
                    Duration.ofSeconds(30));
                connectString = embedded.connectString();
            }
            else
            {
                connectString = settings.require(ProcessSettings.ZK);
            }
            final ZooKeeperSettings zooKeeper = ProcessSettings.withLogin(new ZooKeeperSettings(connectString,
                sessionTimeoutMs, settings.getInt(ProcessSettings.CONNECTION_TIMEOUT_MS)), settings,
                ZooKeeperPrincipal.MASTER);
            client = zooKeeper.newClient();
            client.start();
            if (!client.blockUntilConnected(30, TimeUnit.SECONDS))
            {
                LOG.error("could not connect to ZooKeeper at {}; check --zk and that the ensemble is up", connectString);
                return 2;
            }
            if (null == zooKeeper.principal())
            {
                LOG.warn("zookeeper-auth=off: the cluster's znodes are created world-writable; anyone who can reach " +
                    "ZooKeeper at {} can change the configuration (docs/security.md, \"ZooKeeper\")", connectString);
            }
            else
            {
                // A cluster created before ACLs (or by a process run with zookeeper-auth=off) has world-writable
                // znodes: lock them down before leading, and keep them so (docs/security.md, "ZooKeeper").
                aclGuard = AclGuard.start(client, paths, new ZooKeeperAcls(zooKeeper.credentials()));
            }
            master = new ChainMaster(client, paths, id, new ChainPlanner(replicationFactor,
                settings.getBoolean(MasterSettings.HEAL), settings.getLong(MasterSettings.RESTART_GRACE_MS)));
            master.start();
            final int metricsPort = settings.getInt(ProcessSettings.METRICS_PORT);
            if (ProcessSettings.METRICS_OFF != metricsPort)
            {
                final String bindHost = settings.require(ProcessSettings.METRICS_HOST);
                metrics = MasterMetrics.start(master, client, paths, bindHost, metricsPort,
                    MetricsServer.advertisedHost(bindHost, advertisedHost()));
            }
            System.out.println("chainkv-master ready id=" + id + " cluster=" + cluster + " zk=" + connectString +
                " replicationFactor=" + replicationFactor + " sessionTimeoutMs=" + sessionTimeoutMs +
                " negotiatedSessionTimeoutMs=" + client.getZookeeperClient().getZooKeeper().getSessionTimeout() +
                (null == metrics ? "" : " metrics=" + metrics.endpoint()));
            System.out.flush();
            stopped.await();
            LOG.info("master {} stopping", id);
            return 0;
        }
        finally
        {
            if (null != metrics)
            {
                metrics.close();
            }
            if (null != master)
            {
                master.close();
            }
            if (null != aclGuard)
            {
                aclGuard.close();
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

    private static String advertisedHost()
    {
        try
        {
            return java.net.InetAddress.getLocalHost().getHostName();
        }
        catch (final java.io.IOException ex)
        {
            return "localhost";
        }
    }

    private static String defaultMasterId()
    {
        return advertisedHost() + "-" + ProcessHandle.current().pid();
    }
}
