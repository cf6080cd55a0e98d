package io.chainkv.master.zk;

import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.NodeInfo;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reports the set of live registered nodes of a cluster (the children of {@link ClusterPaths#nodesPath()}) each
 * time it changes: a node registered, changed its state, or its session ended.
 * <p>
 * The reported set comes from a local cache and may lag ZooKeeper; a decision that must rest on what ZooKeeper
 * holds now reads it with {@link #readLiveNodes(CuratorFramework, ClusterPaths)} instead.
 */
public final class MembershipWatcher implements AutoCloseable
{
    /**
     * Receives the live node set after each change.
     */
    @FunctionalInterface
    public interface Listener
    {
        /**
         * Called on Curator's event thread: hand long work to another thread.
         *
         * @param liveNodes live nodes by id.
         */
        void onMembership(Map<String, RegisteredNode> liveNodes);
    }

    private static final Logger LOG = LoggerFactory.getLogger(MembershipWatcher.class);

    private final ClusterPaths paths;
    private final Listener listener;
    private final CuratorCache cache;
    private volatile Map<String, RegisteredNode> liveNodes = Collections.emptyMap();

    /**
     * @param client   a started Curator client; not closed by this watcher.
     * @param paths    the cluster's layout.
     * @param listener receives each changed live set.
     */
    public MembershipWatcher(final CuratorFramework client, final ClusterPaths paths, final Listener listener)
    {
        this.paths = paths;
        this.listener = listener;
        this.cache = CuratorCache.build(client, paths.nodesPath());
        cache.listenable().addListener(CuratorCacheListener.builder().forAll((type, oldNode, node) -> refresh())
            .forInitialized(this::refresh).build());
    }

    /**
     * Reads the live nodes directly from ZooKeeper.
     *
     * @param client a started Curator client.
     * @param paths  the cluster's layout.
     * @return live nodes by id, in id order; registrations that do not decode are logged and left out.
     * @throws Exception on a ZooKeeper error.
     */
    public static Map<String, RegisteredNode> readLiveNodes(final CuratorFramework client, final ClusterPaths paths)
        throws Exception
    {
        final Map<String, RegisteredNode> nodes = new TreeMap<>();
        final java.util.List<String> children;
        try
        {
            children = client.getChildren().forPath(paths.nodesPath());
        }
        catch (final KeeperException.NoNodeException ex)
        {
            return nodes;
        }
        for (final String child : children)
        {
            final Stat stat = new Stat();
            try
            {
                final byte[] data = client.getData().storingStatIn(stat).forPath(ZKPaths.makePath(paths.nodesPath(), child));
                final RegisteredNode node = decode(child, data, stat);
                if (null != node)
                {
                    nodes.put(child, node);
                }
            }
            catch (final KeeperException.NoNodeException ex)
            {
                // It went between the listing and the read: not live.
            }
        }
        return nodes;
    }

    /**
     * Starts watching; the first report comes once the current registrations are loaded.
     */
    public void start()
    {
        cache.start();
    }

    /**
     * @return the live nodes by id as last reported.
     */
    public Map<String, RegisteredNode> liveNodes()
    {
        return liveNodes;
    }

    public void close()
    {
        cache.close();
    }

    private void refresh()
    {
        final Map<String, RegisteredNode> nodes = new TreeMap<>();
        cache.stream()
            .filter(data -> paths.nodesPath().equals(ZKPaths.getPathAndNode(data.getPath()).getPath()))
            .forEach(data ->
            {
                final String nodeId = ZKPaths.getNodeFromPath(data.getPath());
                final RegisteredNode node = decode(nodeId, data);
                if (null != node)
                {
                    nodes.put(nodeId, node);
                }
            });
        if (!sameNodes(nodes, liveNodes))
        {
            liveNodes = Collections.unmodifiableMap(nodes);
            listener.onMembership(liveNodes);
        }
    }

    private static boolean sameNodes(final Map<String, RegisteredNode> a, final Map<String, RegisteredNode> b)
    {
        if (!a.keySet().equals(b.keySet()))
        {
            return false;
        }
        for (final Map.Entry<String, RegisteredNode> entry : a.entrySet())
        {
            final RegisteredNode other = b.get(entry.getKey());
            if (!entry.getValue().info().equals(other.info()) ||
                entry.getValue().registrationZxid() != other.registrationZxid())
            {
                return false;
            }
        }
        return true;
    }

    private static RegisteredNode decode(final String nodeId, final ChildData data)
    {
        return decode(nodeId, data.getData(), data.getStat());
    }

    private static RegisteredNode decode(final String nodeId, final byte[] data, final Stat stat)
    {
        try
        {
            return new RegisteredNode(NodeInfo.decode(nodeId, data), null != stat ? stat.getCzxid() : Long.MAX_VALUE);
        }
        catch (final IllegalArgumentException ex)
        {
            LOG.warn("ignoring registration {}: {}", nodeId, ex.getMessage());
            return null;
        }
    }
}
