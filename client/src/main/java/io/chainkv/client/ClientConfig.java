package io.chainkv.client;

import io.chainkv.cluster.ClusterPaths;
import io.chainkv.config.ChainConfig;
import io.chainkv.protocol.ProtocolLimits;
import io.chainkv.transport.TransportSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@link ChainKvClient#connect} needs, set fluently. Each setter checks its argument;
 * {@link #validate()} checks the whole, and {@code connect} copies the values, so changing a config after
 * connecting does not affect the client.
 * <p>
 * Only where the configuration comes from is required, ZooKeeper or a fixed configuration:
 * <pre>
 * ChainKvClient client = ChainKvClient.connect(new ClientConfig().zooKeeper("127.0.0.1:2181", "local"));
 * ChainKvClient client = ChainKvClient.connect(new ClientConfig().chainConfig(ChainConfig.load(file)));
 * </pre>
 */
public final class ClientConfig
{
    /** Default wait for an answer to one attempt before sending the request again. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(1);

    /** Default time from a call to its failure when no attempt succeeds. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

    /** Default first pause before resending after a retryable answer or a failed send; doubles per retry. */
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(10);

    /** Default longest pause between retries. */
    public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofMillis(200);

    /**
     * Default pause of writes after which the client sends its session a keepalive: well inside the nodes' default
     * client session timeout (30 s), so an idle client keeps its session; one small message per interval.
     */
    public static final Duration DEFAULT_SESSION_KEEPALIVE = Duration.ofSeconds(5);

    /** Default host the reply subscription binds to and nodes send replies to. */
    public static final String DEFAULT_REPLY_HOST = "127.0.0.1";

    private ChainConfigSource configSource;
    private String zooKeeperConnectString;
    private String zooKeeperClusterName;
    private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private Duration maxRetryBackoff = DEFAULT_MAX_RETRY_BACKOFF;
    private Duration sessionKeepalive = DEFAULT_SESSION_KEEPALIVE;
    private String replyHost = DEFAULT_REPLY_HOST;
    private TransportSettings transportSettings;
    private Path keyFile;
    private int maxKeyLength = ProtocolLimits.DEFAULT_MAX_KEY_LENGTH;
    private int maxValueLength = ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH;
    private String aeronDirectoryName;
    private ReadMode readMode = ReadMode.LINEARIZABLE;

    /**
     * @param configSource where the chain's configuration comes from (required).
     * @return this.
     */
    public ClientConfig configSource(final ChainConfigSource configSource)
    {
        this.configSource = Objects.requireNonNull(configSource, "configSource");
        this.zooKeeperConnectString = null;
        this.zooKeeperClusterName = null;
        return this;
    }

    /**
     * Follows the cluster's configuration in ZooKeeper: {@link ChainKvClient#connect} opens a
     * {@link ZooKeeperChainConfigSource} for chain {@value ZooKeeperChainConfigSource#DEFAULT_CHAIN_ID}, waits up to
     * the request timeout for a configuration, and closes the source when the client closes. Replaces any
     * {@link #configSource} set before.
     *
     * @param connectString host:port,... of the ensemble.
     * @param clusterName   the cluster's name (its namespace /chainkv/&lt;name&gt;).
     * @return this.
     */
    public ClientConfig zooKeeper(final String connectString, final String clusterName)
    {
        if (null == connectString || connectString.isBlank())
        {
            throw new IllegalArgumentException("ZooKeeper connect string must not be empty");
        }
        // Checks the name now rather than at connect.
        new ClusterPaths(clusterName);
        this.zooKeeperConnectString = connectString;
        this.zooKeeperClusterName = clusterName;
        this.configSource = null;
        return this;
    }

    /**
     * Shorthand for a {@link StaticChainConfigSource}.
     *
     * @param chainConfig a fixed configuration.
     * @return this.
     */
    public ClientConfig chainConfig(final ChainConfig chainConfig)
    {
        return configSource(new StaticChainConfigSource(chainConfig));
    }

    /**
     * @param attemptTimeout how long to wait for an answer before sending the same request again.
     * @return this.
     */
    public ClientConfig attemptTimeout(final Duration attemptTimeout)
    {
        this.attemptTimeout = positive(attemptTimeout, "attemptTimeout");
        return this;
    }

    /**
     * @param requestTimeout how long a call may take in all, retries included, before it fails.
     * @return this.
     */
    public ClientConfig requestTimeout(final Duration requestTimeout)
    {
        this.requestTimeout = positive(requestTimeout, "requestTimeout");
        return this;
    }

    /**
     * @param sessionKeepalive after this long without a write, the client sends its session a keepalive; keep it well
     *                         below the nodes' {@code --client-session-timeout-ms}.
     * @return this.
     */
    public ClientConfig sessionKeepalive(final Duration sessionKeepalive)
    {
        this.sessionKeepalive = positive(sessionKeepalive, "sessionKeepalive");
        return this;
    }

    /**
     * @return the pause of writes after which the client sends a keepalive.
     */
    public Duration sessionKeepalive()
    {
        return sessionKeepalive;
    }

    /**
     * @param readMode what {@link ChainKvClient#get(byte[])} may answer unless a call names another mode; default
     *                 {@link ReadMode#LINEARIZABLE} (any member answers, CRAQ).
     * @return this.
     */
    public ClientConfig readMode(final ReadMode readMode)
    {
        this.readMode = Objects.requireNonNull(readMode, "readMode");
        return this;
    }

    /**
     * @param retryBackoff the first pause before a retry; later pauses double up to {@link #maxRetryBackoff}.
     * @return this.
     */
    public ClientConfig retryBackoff(final Duration retryBackoff)
    {
        this.retryBackoff = positive(retryBackoff, "retryBackoff");
        return this;
    }

    /**
     * @param maxRetryBackoff the longest pause between retries.
     * @return this.
     */
    public ClientConfig maxRetryBackoff(final Duration maxRetryBackoff)
    {
        this.maxRetryBackoff = positive(maxRetryBackoff, "maxRetryBackoff");
        return this;
    }

    /**
     * @param replyHost address the reply subscription binds to, on an ephemeral port; nodes send replies
     *                  there, so it must be an address they can reach (not a wildcard).
     * @return this.
     */
    public ClientConfig replyHost(final String replyHost)
    {
        Objects.requireNonNull(replyHost, "replyHost");
        if (replyHost.isBlank() || "0.0.0.0".equals(replyHost) || "::".equals(replyHost) ||
            replyHost.contains(":") && !replyHost.startsWith("["))
        {
            throw new IllegalArgumentException("replyHost must be an address nodes can send to (not a wildcard; " +
                "IPv6 in brackets), was '" + replyHost + "'");
        }
        this.replyHost = replyHost;
        return this;
    }

    /**
     * @param transportSettings idle strategy, term length and MTU (default: from system properties).
     * @return this.
     */
    public ClientConfig transportSettings(final TransportSettings transportSettings)
    {
        this.transportSettings = Objects.requireNonNull(transportSettings, "transportSettings");
        return this;
    }

    /**
     * @param keyFile the key file whose client key signs this client's requests and checks the nodes' replies
     *                (docs/security.md); by default the file named by {@code -Dchainkv.key.file}.
     * @return this.
     */
    public ClientConfig keyFile(final Path keyFile)
    {
        this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
        return this;
    }

    /**
     * @param maxKeyLength longest key the client sends; longer keys fail before sending.
     * @return this.
     */
    public ClientConfig maxKeyLength(final int maxKeyLength)
    {
        if (maxKeyLength < 1)
        {
            throw new IllegalArgumentException("maxKeyLength must be >= 1, was " + maxKeyLength);
        }
        this.maxKeyLength = maxKeyLength;
        return this;
    }

    /**
     * @param maxValueLength longest value the client sends; longer values fail before sending.
     * @return this.
     */
    public ClientConfig maxValueLength(final int maxValueLength)
    {
        if (maxValueLength < 0)
        {
            throw new IllegalArgumentException("maxValueLength must be >= 0, was " + maxValueLength);
        }
        this.maxValueLength = maxValueLength;
        return this;
    }

    /**
     * @param aeronDirectoryName directory of a running media driver to use; null (the default) starts a
     *                           driver inside the client with a directory of its own, removed on close.
     * @return this.
     */
    public ClientConfig aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * Checks the settings together, filling in defaults that depend on the environment.
     *
     * @return this.
     * @throws IllegalArgumentException naming the setting to fix.
     */
    public ClientConfig validate()
    {
        if (null == configSource && null == zooKeeperConnectString)
        {
            throw new IllegalArgumentException("a configuration source is required: set zooKeeper(connect, cluster), " +
                "configSource(...) or chainConfig(ChainConfig.load(file))");
        }
        if (requestTimeout.compareTo(attemptTimeout) < 0)
        {
            throw new IllegalArgumentException("requestTimeout (" + requestTimeout.toMillis() +
                " ms) must be at least attemptTimeout (" + attemptTimeout.toMillis() + " ms)");
        }
        if (maxRetryBackoff.compareTo(retryBackoff) < 0)
        {
            throw new IllegalArgumentException("maxRetryBackoff (" + maxRetryBackoff.toMillis() +
                " ms) must be at least retryBackoff (" + retryBackoff.toMillis() + " ms)");
        }
        if (null == transportSettings)
        {
            transportSettings = TransportSettings.fromSystemProperties();
        }
        if (null != keyFile)
        {
            transportSettings = transportSettings.withKeyFile(keyFile);
        }
        return this;
    }

    /**
     * @return the source set with {@link #configSource} or {@link #chainConfig}, or null in ZooKeeper mode.
     */
    public ChainConfigSource configSource()
    {
        return configSource;
    }

    /**
     * @return the connect string set with {@link #zooKeeper}, or null.
     */
    public String zooKeeperConnectString()
    {
        return zooKeeperConnectString;
    }

    /**
     * @return the cluster name set with {@link #zooKeeper}, or null.
     */
    public String zooKeeperClusterName()
    {
        return zooKeeperClusterName;
    }

    public Duration attemptTimeout()
    {
        return attemptTimeout;
    }

    public Duration requestTimeout()
    {
        return requestTimeout;
    }

    public Duration retryBackoff()
    {
        return retryBackoff;
    }

    public Duration maxRetryBackoff()
    {
        return maxRetryBackoff;
    }

    public String replyHost()
    {
        return replyHost;
    }

    /**
     * @return the transport settings, or null until set or {@link #validate()}d.
     */
    public TransportSettings transportSettings()
    {
        return transportSettings;
    }

    public int maxKeyLength()
    {
        return maxKeyLength;
    }

    public int maxValueLength()
    {
        return maxValueLength;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    public ReadMode readMode()
    {
        return readMode;
    }

    public String toString()
    {
        return "ClientConfig{configSource=" + (null != configSource ? configSource :
            "zk=" + zooKeeperConnectString + " cluster=" + zooKeeperClusterName) + ", attemptTimeout=" + attemptTimeout +
            ", requestTimeout=" + requestTimeout + ", retryBackoff=" + retryBackoff + ".." + maxRetryBackoff +
            ", replyHost=" + replyHost + ", transport=" + transportSettings + ", maxKeyLength=" + maxKeyLength +
            ", maxValueLength=" + maxValueLength + ", aeronDir=" + aeronDirectoryName + ", readMode=" + readMode + "}";
    }

    private static Duration positive(final Duration duration, final String name)
    {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
        return duration;
    }
}
