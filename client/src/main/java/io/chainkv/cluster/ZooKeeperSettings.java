package io.chainkv.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;

/**
 * How a ChainKV process connects to ZooKeeper, and the factory of its Curator client.
 * <p>
 * The session timeout is the failure detector: a node killed with -9 is noticed when the ensemble expires its
 * session, about one session timeout (rounded up to the server's tick) later. The default aims at write
 * unavailability under one second, which needs a server that allows it: its minSessionTimeout (2 x tickTime by
 * default) must be at most this value, or the server silently raises it. docs/design.md ("ZooKeeper layout")
 * notes the trade-off.
 */
public final class ZooKeeperSettings
{
    /** Default session timeout: detection in about 0.6-0.7 s with a 100 ms tick. */
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 600;

    /** Default time an operation waits for a connection; below the session timeout, as Curator expects. */
    public static final int DEFAULT_CONNECTION_TIMEOUT_MS = 500;

    private final String connectString;
    private final int sessionTimeoutMs;
    private final int connectionTimeoutMs;

    /**
     * @param connectString       host:port,... of the ensemble.
     * @param sessionTimeoutMs    requested session timeout; the server clamps it to its min/max.
     * @param connectionTimeoutMs how long an operation waits for a connection.
     */
    public ZooKeeperSettings(final String connectString, final int sessionTimeoutMs, final int connectionTimeoutMs)
    {
        if (null == connectString || connectString.isBlank())
        {
            throw new IllegalArgumentException("ZooKeeper connect string must not be empty");
        }
        if (sessionTimeoutMs <= 0 || connectionTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("timeouts must be > 0: session " + sessionTimeoutMs +
                " ms, connection " + connectionTimeoutMs + " ms");
        }
        this.connectString = connectString;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.connectionTimeoutMs = connectionTimeoutMs;
    }

    /**
     * @param connectString host:port,... of the ensemble.
     * @return settings with the default timeouts.
     */
    public static ZooKeeperSettings defaults(final String connectString)
    {
        return new ZooKeeperSettings(connectString, DEFAULT_SESSION_TIMEOUT_MS, DEFAULT_CONNECTION_TIMEOUT_MS);
    }

    /**
     * @return a Curator client for these settings, not yet started; the caller starts and closes it.
     */
    public CuratorFramework newClient()
    {
        // Retries are short and bounded: an operation that cannot reach ZooKeeper should fail within about a
        // connection timeout, so the caller (a master re-planning, a node deciding to stop serving) reacts.
        return CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs(sessionTimeoutMs)
            .connectionTimeoutMs(connectionTimeoutMs)
            .retryPolicy(new BoundedExponentialBackoffRetry(50, 400, 5))
            .build();
    }

    public String connectString()
    {
        return connectString;
    }

    public int sessionTimeoutMs()
    {
        return sessionTimeoutMs;
    }

    public int connectionTimeoutMs()
    {
        return connectionTimeoutMs;
    }

    public String toString()
    {
        return "zk=" + connectString + " sessionTimeoutMs=" + sessionTimeoutMs +
            " connectionTimeoutMs=" + connectionTimeoutMs;
    }
}
