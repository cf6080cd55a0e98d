package io.chainkv.master.cli;

import ch.qos.logback.classic.Level;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.transport.TransportSettings;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

import java.util.concurrent.TimeUnit;

/**
 * Where the cluster is, shared by every chainctl subcommand through {@link CtlCommand} ({@code --zk},
 * {@code --cluster}, {@code --timeout-ms}, {@code --verbose}), and the one way they connect to it: a connected
 * Curator client, or a {@link CtlException} with {@link ChainCtl#EXIT_NO_ZOOKEEPER} saying what to check.
 */
final class CtlConnection
{
    @Option(names = "--zk", defaultValue = ChainCtl.DEFAULT_ZK, paramLabel = "<host:port,...>",
        description = "ZooKeeper connect string (default: ${DEFAULT-VALUE}).")
    String connectString;

    @Option(names = "--cluster", defaultValue = ChainCtl.DEFAULT_CLUSTER, paramLabel = "<name>",
        description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--timeout-ms", defaultValue = "5000", paramLabel = "<ms>",
        description = "How long to try to reach ZooKeeper, and (get/put/delete) the cluster (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    @Option(names = "--verbose", description = "Show ZooKeeper's and Curator's log on stderr.")
    boolean verbose;

    @Option(names = "--key-file", paramLabel = "<file>",
        description = "The cluster's key file, for commands that talk to the nodes (get, put, delete, backup); " +
            "default: -Dchainkv.key.file (docs/security.md).")
    void keyFile(final String keyFile)
    {
        // Every client and node this process starts reads its keys from here (TransportSettings).
        System.setProperty(TransportSettings.KEY_FILE_PROP, keyFile);
    }

    @Option(names = "--zookeeper-auth", paramLabel = "<required|off>",
        description = "required (default, or -D" + ZooKeeperSettings.AUTH_PROP + "): log in to ZooKeeper as " +
            "chainkv-operator with the key file's 'zookeeper operator' password; off: anonymously, for a cluster run " +
            "with zookeeper-auth=off (docs/security.md).")
    String zooKeeperAuth;

    ClusterPaths paths()
    {
        return new ClusterPaths(cluster);
    }

    /**
     * @return a started, connected client; the caller closes it.
     * @throws CtlException with {@link ChainCtl#EXIT_NO_ZOOKEEPER} if ZooKeeper cannot be reached in time.
     */
    CuratorFramework connect() throws InterruptedException
    {
        if (!verbose)
        {
            // The ZooKeeper client logs every refused connection; the one line chainctl prints says it better.
            ((ch.qos.logback.classic.Logger)LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.OFF);
        }
        return open();
    }

    /**
     * For a command that runs a node of its own ({@code backup}): fails as {@link #connect()} does when ZooKeeper
     * cannot be reached, at once rather than when the command's own wait runs out, but leaves the log on, since
     * that node's warnings and errors (a copy too small for the chain, say) are the operator's to read.
     *
     * @param sessionTimeoutMs    the session the command's node asks for.
     * @param connectionTimeoutMs the connection timeout of the command's node.
     * @return how the command's node reaches the same ZooKeeper.
     * @throws CtlException with {@link ChainCtl#EXIT_NO_ZOOKEEPER} if ZooKeeper cannot be reached in time.
     */
    ZooKeeperSettings reachableZooKeeper(final int sessionTimeoutMs, final int connectionTimeoutMs)
        throws InterruptedException
    {
        open().close();
        return login(new ZooKeeperSettings(connectString, sessionTimeoutMs, connectionTimeoutMs));
    }

    /**
     * chainctl is the operator (docs/security.md, "ZooKeeper"): it logs in as chainkv-operator, with the password of
     * the key file every command takes.
     */
    private ZooKeeperSettings login(final ZooKeeperSettings anonymous)
    {
        try
        {
            return anonymous.withLoginFrom(null != zooKeeperAuth ? zooKeeperAuth :
                System.getProperty(ZooKeeperSettings.AUTH_PROP), System.getProperty(TransportSettings.KEY_FILE_PROP),
                ZooKeeperPrincipal.OPERATOR);
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            throw new CtlException(ChainCtl.EXIT_USAGE, ex.getMessage());
        }
    }

    private CuratorFramework open() throws InterruptedException
    {
        if (timeoutMs < 1)
        {
            throw new CtlException(ChainCtl.EXIT_USAGE, "--timeout-ms must be positive, was " + timeoutMs);
        }
        final int sessionTimeoutMs = Math.max(ZooKeeperSettings.DEFAULT_SESSION_TIMEOUT_MS, timeoutMs);
        final CuratorFramework client = login(new ZooKeeperSettings(connectString, sessionTimeoutMs,
            Math.max(1, Math.min(timeoutMs, sessionTimeoutMs)))).newClient();
        client.start();
        if (!client.blockUntilConnected(timeoutMs, TimeUnit.MILLISECONDS))
        {
            client.close();
            throw new CtlException(ChainCtl.EXIT_NO_ZOOKEEPER, "cannot reach ZooKeeper at " + connectString +
                " within " + timeoutMs + " ms; check that it runs (scripts/local-cluster.sh status) and that --zk " +
                "names it");
        }
        return client;
    }
}
