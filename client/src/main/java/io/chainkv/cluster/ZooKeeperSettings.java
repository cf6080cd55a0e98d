package io.chainkv.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.DefaultACLProvider;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;

import java.nio.file.Path;
import java.util.Locale;

/**
 * How a ChainKV process connects to ZooKeeper, and the factory of its Curator client.
 * <p>
 * The session timeout is the failure detector: a node killed with -9 is noticed when the ensemble expires its
 * session, about one session timeout (rounded up to the server's tick) later. The default aims at write
 * unavailability under one second, which needs a server that allows it: its minSessionTimeout (2 x tickTime by
 * default) must be at most this value, or the server silently raises it. docs/design.md ("ZooKeeper layout")
 * notes the trade-off.
 * <p>
 * A client logs in as one {@link ZooKeeperPrincipal} and creates every znode with the ACL {@link ZooKeeperAcls} gives
 * its path ({@link #withLogin}); settings without a login (applications, which only read the configuration, and
 * clusters run with {@code zookeeper-auth=off}) connect anonymously and create world-writable znodes
 * (docs/security.md, "ZooKeeper").
 */
public final class ZooKeeperSettings
{
    /** Default session timeout: detection in about 0.6-0.7 s with a 100 ms tick. */
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 600;

    /** Default time an operation waits for a connection; below the session timeout, as Curator expects. */
    public static final int DEFAULT_CONNECTION_TIMEOUT_MS = 500;

    /** Whether ChainKV's processes log in to ZooKeeper: {@code required} (default) or {@code off}. */
    public static final String AUTH_PROP = "chainkv.zookeeper.auth";
    public static final String AUTH_REQUIRED = "required";
    public static final String AUTH_OFF = "off";

    private final String connectString;
    private final int sessionTimeoutMs;
    private final int connectionTimeoutMs;
    private final ZooKeeperCredentials credentials;
    private final ZooKeeperPrincipal principal;
    private final ACLProvider acls;

    /**
     * @param connectString       host:port,... of the ensemble.
     * @param sessionTimeoutMs    requested session timeout; the server clamps it to its min/max.
     * @param connectionTimeoutMs how long an operation waits for a connection.
     */
    public ZooKeeperSettings(final String connectString, final int sessionTimeoutMs, final int connectionTimeoutMs)
    {
        this(connectString, sessionTimeoutMs, connectionTimeoutMs, null, null);
    }

    private ZooKeeperSettings(
        final String connectString,
        final int sessionTimeoutMs,
        final int connectionTimeoutMs,
        final ZooKeeperCredentials credentials,
        final ZooKeeperPrincipal principal)
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
        this.credentials = credentials;
        this.principal = principal;
        if (null != credentials)
        {
            credentials.requireLogin(principal);
            this.acls = new ZooKeeperAcls(credentials);
        }
        else
        {
            this.acls = new DefaultACLProvider();
        }
    }

    /**
     * @param credentials the cluster's ZooKeeper credentials; must hold the password of {@code principal} and name
     *                    every principal.
     * @param principal   who to log in as.
     * @return a copy that logs in as {@code principal} and creates znodes with {@link ZooKeeperAcls}.
     * @throws IllegalArgumentException with a sentence saying what the credentials lack.
     */
    public ZooKeeperSettings withLogin(final ZooKeeperCredentials credentials, final ZooKeeperPrincipal principal)
    {
        return new ZooKeeperSettings(connectString, sessionTimeoutMs, connectionTimeoutMs, credentials, principal);
    }

    /**
     * How ChainKV's own processes (masters, nodes, chainctl) resolve their login from their settings.
     *
     * @param auth      {@link #AUTH_REQUIRED}, {@link #AUTH_OFF}, or null for required.
     * @param keyFile   the key file holding the {@code zookeeper} lines, or null.
     * @param principal who to log in as.
     * @return a copy that logs in as {@code principal}, or this (anonymous) when {@code auth} is off.
     * @throws IllegalStateException with a sentence saying what to do, when a login is required and the key file
     *                               is missing or lacks it.
     */
    public ZooKeeperSettings withLoginFrom(final String auth, final String keyFile, final ZooKeeperPrincipal principal)
    {
        final String mode = null == auth ? AUTH_REQUIRED : auth.trim().toLowerCase(Locale.ROOT);
        if (AUTH_OFF.equals(mode))
        {
            return this;
        }
        if (!AUTH_REQUIRED.equals(mode))
        {
            throw new IllegalArgumentException("zookeeper-auth must be required or off, was '" + auth + "'");
        }
        if (null == keyFile || keyFile.isBlank())
        {
            throw new IllegalStateException("no ZooKeeper credentials: ChainKV's processes log in to ZooKeeper as " +
                principal.user() + ", with a password from the cluster's key file. Set --key-file (or " +
                "-Dchainkv.key.file) to a file made by 'chainctl generate-keys' (scripts/local-cluster.sh makes " +
                "one per cluster), or set --zookeeper-auth off (-D" + AUTH_PROP + "=off) on every process of the " +
                "cluster if anyone who can reach ZooKeeper may change it (docs/security.md, \"ZooKeeper\")");
        }
        try
        {
            return withLogin(ZooKeeperCredentials.load(Path.of(keyFile.trim())), principal);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException(ex.getMessage(), ex);
        }
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
        final CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs(sessionTimeoutMs)
            .connectionTimeoutMs(connectionTimeoutMs)
            .retryPolicy(new BoundedExponentialBackoffRetry(50, 400, 5))
            .aclProvider(acls);
        if (null != credentials)
        {
            // Curator adds the login to every session it opens, so a new session after an expiry is logged in too.
            builder.authorization("digest", credentials.authorization(principal));
        }
        return builder.build();
    }

    /**
     * @return the ACLs znodes are created with: {@link ZooKeeperAcls} with a login, world-writable without.
     */
    public ACLProvider acls()
    {
        return acls;
    }

    /**
     * @return who the client logs in as, or null for an anonymous client.
     */
    public ZooKeeperPrincipal principal()
    {
        return principal;
    }

    /**
     * @return the credentials of the login, or null for an anonymous client.
     */
    public ZooKeeperCredentials credentials()
    {
        return credentials;
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
            " connectionTimeoutMs=" + connectionTimeoutMs +
            (null == principal ? " login=none" : " login=" + principal.user());
    }
}
