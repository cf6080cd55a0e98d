package io.chainkv.client;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterConfigCodec;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ConfigWatcher;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link ChainConfigSource} that follows one chain of a cluster's configuration in ZooKeeper, so a client
 * finds the head and tail of each new epoch by itself.
 * <p>
 * A {@link ConfigWatcher} keeps {@link #current()} at the chain as it is in the newest configuration delivered;
 * {@link #requestRefresh()} also reads the znode again in the background, for when a node says the client is
 * behind before the watch has fired. The source never steps back to an older epoch.
 * <p>
 * {@link #connect} waits until a configuration naming the chain exists, so a client never starts without one;
 * it fails with an {@link UnavailableException} saying whether ZooKeeper or the configuration was missing.
 * <pre>
 * try (ZooKeeperChainConfigSource source = ZooKeeperChainConfigSource.connect("127.0.0.1:2181", "local");
 *     ChainKvClient client = ChainKvClient.connect(new ClientConfig().configSource(source)))
 * {
 *     ...
 * }
 * </pre>
 * {@link ClientConfig#zooKeeper(String, String)} does the same with a source the client owns and closes.
 */
public final class ZooKeeperChainConfigSource implements ChainConfigSource, AutoCloseable
{
    /** The chain a client talks to unless told otherwise: clusters have one chain until sharding comes. */
    public static final int DEFAULT_CHAIN_ID = 0;

    /** Default wait in {@link #connect} for ZooKeeper and a configuration. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Session timeout of a Curator client this source makes. Longer than a node's: the client's session only
     * carries its watch, and a client paused for a moment should keep it rather than start over.
     */
    public static final int CLIENT_SESSION_TIMEOUT_MS = 5_000;

    /** Connection timeout of a Curator client this source makes. */
    public static final int CLIENT_CONNECTION_TIMEOUT_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperChainConfigSource.class);

    private final CuratorFramework curator;
    private final boolean ownsCurator;
    private final ClusterPaths paths;
    private final int chainId;
    private final ConfigWatcher watcher;
    private final AtomicBoolean refreshInFlight = new AtomicBoolean();
    private final Object lock = new Object();
    private ClusterConfig clusterConfig;
    private volatile ChainConfig current;
    private volatile boolean closed;

    private ZooKeeperChainConfigSource(
        final CuratorFramework curator, final boolean ownsCurator, final String clusterName, final int chainId)
    {
        this.curator = curator;
        this.ownsCurator = ownsCurator;
        this.paths = new ClusterPaths(clusterName);
        this.chainId = chainId;
        this.watcher = new ConfigWatcher(curator, paths, this::offer);
    }

    /**
     * Connects to ZooKeeper with a client of its own and waits up to {@link #DEFAULT_CONNECT_TIMEOUT} for chain
     * {@value #DEFAULT_CHAIN_ID} of the cluster's configuration.
     *
     * @param connectString host:port,... of the ensemble.
     * @param clusterName   the cluster.
     * @return a source holding a configuration; close it.
     * @throws UnavailableException if ZooKeeper cannot be reached or holds no configuration in time.
     */
    public static ZooKeeperChainConfigSource connect(final String connectString, final String clusterName)
    {
        return connect(connectString, clusterName, DEFAULT_CHAIN_ID, DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Connects to ZooKeeper with a client of its own (closed with this source) and waits for the chain.
     *
     * @param connectString host:port,... of the ensemble.
     * @param clusterName   the cluster.
     * @param chainId       the chain to follow.
     * @param timeout       how long to wait for ZooKeeper and for a configuration naming the chain.
     * @return a source holding a configuration; close it.
     * @throws UnavailableException if ZooKeeper cannot be reached or holds no configuration in time.
     */
    public static ZooKeeperChainConfigSource connect(
        final String connectString, final String clusterName, final int chainId, final Duration timeout)
    {
        final CuratorFramework curator =
            new ZooKeeperSettings(connectString, CLIENT_SESSION_TIMEOUT_MS, CLIENT_CONNECTION_TIMEOUT_MS).newClient();
        curator.start();
        return start(new ZooKeeperChainConfigSource(curator, true, clusterName, chainId), timeout);
    }

    /**
     * Follows the chain over a Curator client the caller owns: it is neither started nor closed here.
     *
     * @param curator     a started Curator client.
     * @param clusterName the cluster.
     * @param chainId     the chain to follow.
     * @param timeout     how long to wait for ZooKeeper and for a configuration naming the chain.
     * @return a source holding a configuration; close it (the Curator client stays open).
     * @throws UnavailableException if ZooKeeper cannot be reached or holds no configuration in time.
     */
    public static ZooKeeperChainConfigSource open(
        final CuratorFramework curator, final String clusterName, final int chainId, final Duration timeout)
    {
        return start(new ZooKeeperChainConfigSource(
            Objects.requireNonNull(curator, "curator"), false, clusterName, chainId), timeout);
    }

    /**
     * @return the chain as it is in the newest configuration seen; never null.
     */
    public ChainConfig current()
    {
        return current;
    }

    /**
     * @return the newest whole-cluster configuration seen (the one {@link #current()} comes from).
     */
    public ClusterConfig clusterConfig()
    {
        synchronized (lock)
        {
            return clusterConfig;
        }
    }

    /**
     * Reads the config znode again in the background; at most one read is in flight, so the client's receiver
     * may call this on every stale answer without flooding ZooKeeper. Never blocks, never throws.
     */
    public void requestRefresh()
    {
        if (closed || !refreshInFlight.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            curator.getData().inBackground((client, event) -> onRefreshed(event)).forPath(paths.configPath());
        }
        catch (final Exception ex)
        {
            refreshInFlight.set(false);
            LOG.debug("refresh of {} not sent: {}", paths.configPath(), ex.toString());
        }
    }

    /**
     * @param minEpoch the chain epoch to wait for.
     * @param timeout  how long to wait.
     * @return the chain once its epoch is at least {@code minEpoch}, or null on timeout.
     * @throws InterruptedException if interrupted while waiting.
     */
    public ChainConfig awaitEpoch(final long minEpoch, final Duration timeout) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (lock)
        {
            while (null == current || current.epoch() < minEpoch)
            {
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0 || closed)
                {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, remainingNs);
            }
            return current;
        }
    }

    public String clusterName()
    {
        return paths.cluster();
    }

    public int chainId()
    {
        return chainId;
    }

    /**
     * @return the ensemble's connect string.
     */
    public String connectString()
    {
        return curator.getZookeeperClient().getCurrentConnectionString();
    }

    /**
     * Stops watching, and closes the Curator client if this source made it.
     */
    public void close()
    {
        closed = true;
        watcher.close();
        if (ownsCurator)
        {
            curator.close();
        }
        synchronized (lock)
        {
            lock.notifyAll();
        }
    }

    public String toString()
    {
        return "ZooKeeperChainConfigSource{" + paths.configPath() + " chain " + chainId + ": " + current + "}";
    }

    private static ZooKeeperChainConfigSource start(final ZooKeeperChainConfigSource source, final Duration timeout)
    {
        try
        {
            source.awaitFirst(timeout);
            return source;
        }
        catch (final RuntimeException ex)
        {
            source.close();
            throw ex;
        }
    }

    private void awaitFirst(final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final String where = "cluster " + paths.cluster() + " in ZooKeeper at " +
            curator.getZookeeperClient().getCurrentConnectionString();
        try
        {
            // Connecting first tells "ZooKeeper is not there" apart from "no master has written a configuration".
            if (!curator.blockUntilConnected((int)Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS))
            {
                throw new UnavailableException(null, false, "cannot reach ZooKeeper at " +
                    curator.getZookeeperClient().getCurrentConnectionString() + " within " + timeout.toMillis() +
                    " ms; is it running, and is the connect string right?");
            }
            watcher.start();
            if (null == awaitEpoch(1, Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime()))))
            {
                final ClusterConfig seen = clusterConfig();
                if (null != seen)
                {
                    throw new UnavailableException(null, false, "the configuration of " + where + " (epoch " +
                        seen.epoch() + ") has no chain " + chainId);
                }
                throw new UnavailableException(null, false, "no configuration for " + where + "; is a master " +
                    "running, and have enough nodes registered for it to build the chain?");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new UnavailableException(null, false, "interrupted while waiting for the configuration of " + where);
        }
    }

    private void onRefreshed(final CuratorEvent event)
    {
        refreshInFlight.set(false);
        if (KeeperException.Code.OK.intValue() != event.getResultCode())
        {
            LOG.debug("refresh of {}: {}", paths.configPath(), KeeperException.Code.get(event.getResultCode()));
            return;
        }
        try
        {
            final ClusterConfig config = ClusterConfigCodec.decode(event.getData());
            if (config.clusterName().equals(paths.cluster()))
            {
                offer(config);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            LOG.warn("ignoring unreadable config at {}: {}", paths.configPath(), ex.getMessage());
        }
    }

    // Both the watcher and a refresh land here; only a newer epoch replaces what is held.
    private void offer(final ClusterConfig config)
    {
        synchronized (lock)
        {
            if (null != clusterConfig && config.epoch() <= clusterConfig.epoch())
            {
                return;
            }
            clusterConfig = config;
            final ChainConfig chain = config.chain(chainId);
            if (null == chain)
            {
                LOG.warn("configuration epoch {} of cluster {} has no chain {}; keeping {}", config.epoch(),
                    paths.cluster(), chainId, current);
                return;
            }
            if (null != current && current.epoch() != chain.epoch())
            {
                LOG.info("chain {} of cluster {}: epoch {} -> {}, {}", chainId, paths.cluster(), current.epoch(),
                    chain.epoch(), chain.members());
            }
            current = chain;
            lock.notifyAll();
        }
    }
}
