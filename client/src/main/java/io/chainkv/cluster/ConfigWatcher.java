package io.chainkv.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Watches a cluster's config znode and hands each newer {@link ClusterConfig} to a listener.
 * <p>
 * A configuration whose epoch is not above the last one delivered is dropped: ZooKeeper re-delivers the same
 * data after a reconnection, and a reader must never step back to an older configuration. Data that does not
 * decode is logged and skipped, never delivered.
 */
public final class ConfigWatcher implements AutoCloseable
{
    /**
     * Receives configurations in strictly increasing epoch order.
     */
    @FunctionalInterface
    public interface Listener
    {
        /**
         * Called on Curator's event thread: hand long work to another thread.
         *
         * @param config the new configuration.
         */
        void onConfig(ClusterConfig config);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

    private final ClusterPaths paths;
    private final Listener listener;
    private final CuratorCache cache;
    private final Object deliveryLock = new Object();
    private final Object lock = new Object();
    private ClusterConfig current;

    /**
     * @param client   a started Curator client; not closed by this watcher.
     * @param paths    the cluster's layout.
     * @param listener receives each newer configuration.
     */
    public ConfigWatcher(final CuratorFramework client, final ClusterPaths paths, final Listener listener)
    {
        this.paths = paths;
        this.listener = listener;
        this.cache = CuratorCache.build(client, paths.configPath(), CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable().addListener(CuratorCacheListener.builder()
            .forCreatesAndChanges((oldNode, node) -> onData(node))
            .build());
    }

    /**
     * Starts watching; the current configuration, if any, is delivered first.
     */
    public void start()
    {
        cache.start();
    }

    /**
     * @return the last configuration delivered (updated once the listener has returned), or null if none yet.
     */
    public ClusterConfig current()
    {
        synchronized (lock)
        {
            return current;
        }
    }

    /**
     * @param minEpoch the epoch to wait for.
     * @param timeout  how long to wait.
     * @return the first delivered configuration with at least that epoch, or null on timeout.
     * @throws InterruptedException if interrupted while waiting.
     */
    public ClusterConfig awaitEpoch(final long minEpoch, final Duration timeout) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (lock)
        {
            while (null == current || current.epoch() < minEpoch)
            {
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, remainingNs);
            }
            return current;
        }
    }

    public void close()
    {
        cache.close();
    }

    private void onData(final ChildData node)
    {
        final ClusterConfig config;
        try
        {
            config = ClusterConfigCodec.decode(node.getData());
        }
        catch (final IllegalArgumentException ex)
        {
            LOG.error("ignoring unreadable config at {}: {}", node.getPath(), ex.getMessage());
            return;
        }
        if (!config.clusterName().equals(paths.cluster()))
        {
            LOG.error("ignoring config of cluster {} found at {}", config.clusterName(), node.getPath());
            return;
        }
        synchronized (deliveryLock)
        {
            final ClusterConfig previous = current();
            if (null != previous && config.epoch() <= previous.epoch())
            {
                return;
            }
            // The listener runs before current() moves on, so whoever waits in awaitEpoch is released only once the
            // listener has seen the configuration. The delivery lock keeps deliveries one at a time, in order.
            listener.onConfig(config);
            synchronized (lock)
            {
                current = config;
                lock.notifyAll();
            }
        }
    }
}
