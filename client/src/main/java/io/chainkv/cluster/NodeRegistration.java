package io.chainkv.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A node's presence in the cluster: an ephemeral znode at {@link ClusterPaths#nodePath(String)} holding its
 * {@link NodeInfo}.
 * <p>
 * The znode lives exactly as long as the node's ZooKeeper session, which is what makes it a failure detector:
 * when the session expires the znode goes and the master splices the node out. Curator's {@link PersistentNode}
 * re-creates it after the session is lost and regained, so a node that comes back is seen again (as a spare:
 * the master never puts a spliced-out node back in its old place).
 */
public final class NodeRegistration implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);

    private final PersistentNode node;
    private final String path;
    private volatile NodeInfo info;

    /**
     * @param client a started Curator client; not closed by this registration.
     * @param paths  the cluster's layout.
     * @param info   what to publish.
     */
    public NodeRegistration(final CuratorFramework client, final ClusterPaths paths, final NodeInfo info)
    {
        this.path = paths.nodePath(info.nodeId());
        this.info = info;
        this.node = new PersistentNode(client, CreateMode.EPHEMERAL, false, path, info.encode());
    }

    /**
     * Starts creating the znode in the background; see {@link #awaitRegistered(Duration)}.
     */
    public void start()
    {
        node.start();
        LOG.info("registering {} at {}", info, path);
    }

    /**
     * @param timeout how long to wait.
     * @return true once the znode has been created, false if it was not within the timeout.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean awaitRegistered(final Duration timeout) throws InterruptedException
    {
        return node.waitForInitialCreate(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Publishes a new state, in the background (Curator's PersistentNode writes it asynchronously); also kept for
     * every re-creation after a session loss.
     *
     * @param state the node's new state.
     * @throws Exception if the data cannot be set (e.g. not registered yet).
     */
    public void updateState(final NodeState state) throws Exception
    {
        publish(info.withState(state));
    }

    /**
     * Publishes what the node now says of itself, in the background like {@link #updateState(NodeState)}; its id and
     * endpoint must stay what they were.
     *
     * @param updated the new contents.
     * @throws Exception if the data cannot be set.
     */
    public void publish(final NodeInfo updated) throws Exception
    {
        if (!updated.nodeId().equals(info.nodeId()) || !updated.endpoint().equals(info.endpoint()))
        {
            throw new IllegalArgumentException("a registration keeps its node id and endpoint: " + info + " -> " + updated);
        }
        node.setData(updated.encode());
        info = updated;
        LOG.info("registration of {} now {}", updated.nodeId(), updated.describe());
    }

    /**
     * @return what is published.
     */
    public NodeInfo info()
    {
        return info;
    }

    /**
     * @return the znode's path.
     */
    public String path()
    {
        return path;
    }

    /**
     * Deletes the znode (best effort; it goes with the session anyway).
     */
    public void close()
    {
        try
        {
            node.close();
        }
        catch (final Exception ex)
        {
            LOG.warn("closing registration {}: {}", path, ex.toString());
        }
    }
}
