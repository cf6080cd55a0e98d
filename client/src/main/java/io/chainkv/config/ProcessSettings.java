package io.chainkv.config;

import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.transport.TransportSettings;

/**
 * Settings nodes and masters share, declared once: where the cluster is in ZooKeeper, the session that is each
 * process's failure detector, and the HTTP endpoint for metrics and health. Each process lists these with its
 * own (see {@code NodeSettings}, {@code MasterSettings}).
 */
public final class ProcessSettings
{
    /** Value of {@link #METRICS_PORT} that turns the endpoint off. */
    public static final int METRICS_OFF = -1;

    public static final Setting ZK = Setting.of("zk", Setting.Kind.TEXT, null,
        "ZooKeeper connect string (host:port,...) of the ensemble that holds the cluster.");

    public static final Setting CLUSTER = Setting.of("cluster", Setting.Kind.TEXT, "chainkv",
        "Cluster name: everything of the cluster lives under /chainkv/<name> in ZooKeeper, so clusters can share " +
        "an ensemble.");

    public static final Setting SESSION_TIMEOUT_MS = Setting.of("session-timeout-ms", Setting.Kind.INT,
        Integer.toString(ZooKeeperSettings.DEFAULT_SESSION_TIMEOUT_MS),
        "ZooKeeper session timeout: a dead process is noticed about this long after it dies; a process stalled " +
        "for 2/3 of it stops serving. Raise it to 1000-2000 on loaded machines. The ensemble's minSessionTimeout " +
        "must allow it.");

    public static final Setting CONNECTION_TIMEOUT_MS = Setting.of("connection-timeout-ms", Setting.Kind.INT,
        Integer.toString(ZooKeeperSettings.DEFAULT_CONNECTION_TIMEOUT_MS),
        "How long a ZooKeeper operation waits for a connection; at most the session timeout.");

    public static final Setting METRICS_PORT = Setting.of("metrics-port", Setting.Kind.INT,
        Integer.toString(METRICS_OFF),
        "TCP port of the HTTP endpoint serving /metrics (Prometheus text), /health/live and /health/ready; " +
        "-1 turns it off, 0 takes any free port (printed at start and, for a node, published in its registration).");

    public static final Setting ZOOKEEPER_AUTH = Setting.of("zookeeper-auth", Setting.Kind.TEXT,
        ZooKeeperSettings.AUTH_REQUIRED, "required: log in to ZooKeeper with this process's password from the key " +
        "file's 'zookeeper' lines and create every znode with ChainKV's ACLs; off: connect anonymously and create " +
        "world-writable znodes (only where everyone who can reach ZooKeeper is trusted; all processes of a cluster " +
        "must agree). docs/security.md, \"ZooKeeper\".");

    /** Default address of the metrics endpoint: this host only (issue 16, "Safe defaults"). */
    public static final String LOOPBACK = "127.0.0.1";

    public static final Setting METRICS_HOST = Setting.of("metrics-host", Setting.Kind.TEXT, LOOPBACK,
        "Address the metrics endpoint listens on: loopback by default, so only this host can read it; an " +
        "interface's address, or 0.0.0.0 for every interface, for a Prometheus elsewhere (firewall it).");

    private ProcessSettings()
    {
    }

    /**
     * @param settings  resolved settings that include ZK, SESSION_TIMEOUT_MS, CONNECTION_TIMEOUT_MS, ZOOKEEPER_AUTH
     *                  and the transport's key file setting.
     * @param principal who the process logs in as.
     * @return how to reach ZooKeeper; the connection timeout is capped at the session timeout.
     * @throws IllegalStateException with a sentence saying what to do if the login is required but not available.
     */
    public static ZooKeeperSettings zooKeeper(final Settings settings, final ZooKeeperPrincipal principal)
    {
        final int sessionTimeoutMs = settings.getInt(SESSION_TIMEOUT_MS);
        return withLogin(new ZooKeeperSettings(settings.require(ZK), sessionTimeoutMs,
            Math.min(settings.getInt(CONNECTION_TIMEOUT_MS), sessionTimeoutMs)), settings, principal);
    }

    /**
     * @param zooKeeper how to reach ZooKeeper, anonymously.
     * @param settings  resolved settings that include ZOOKEEPER_AUTH and the transport's key file setting.
     * @param principal who the process logs in as.
     * @return the same with the login the settings call for (none with zookeeper-auth=off).
     * @throws IllegalStateException with a sentence saying what to do if the login is required but not available.
     */
    public static ZooKeeperSettings withLogin(
        final ZooKeeperSettings zooKeeper, final Settings settings, final ZooKeeperPrincipal principal)
    {
        return zooKeeper.withLoginFrom(settings.get(ZOOKEEPER_AUTH), settings.get(TransportSettings.KEY_FILE),
            principal);
    }
}
