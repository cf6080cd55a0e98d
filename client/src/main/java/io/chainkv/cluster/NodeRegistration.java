package io.chainkv.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.DefaultACLProvider;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * A node's presence in the cluster: an ephemeral znode at {@link ClusterPaths#nodePath(String)} holding its
 * {@link NodeInfo}, created on one ZooKeeper session and living exactly as long as that session.
 * <p>
 * That is what makes it the master's failure detector, and what makes it one <em>incarnation</em>: it is never created
 * again on another session. A node whose session ended registers anew, with a new incarnation, through a new
 * registration (docs/design.md, "Node registrations"). (Curator's {@code PersistentNode}, used before, re-created the
 * znode with the old contents on the new session, so the master could take a process that had lost everything for the
 * member it had placed; and on a path another process held it set that process's data and, on close, deleted its
 * znode.)
 * <p>
 * It never writes or deletes a znode it did not create: {@link #register()} reports who holds the id instead, every
 * update is conditional on the version it last wrote, and {@link #close()} deletes only its own znode.
 * <p>
 * Not thread-safe: one thread registers, publishes and closes.
 */
public final class NodeRegistration implements AutoCloseable
{
    /**
     * Who holds a node id that a registration found taken.
     *
     * @param sessionId the ZooKeeper session owning the znode.
     * @param info      what the holder published, or null if it does not decode.
     */
    public record Holder(long sessionId, NodeInfo info)
    {
        /**
         * @return the holder for a log line or an error message.
         */
        public String describe()
        {
            return "ZooKeeper session 0x" + Long.toHexString(sessionId) +
                (null == info ? "" : ", endpoint " + info.endpoint() + ", incarnation " +
                Long.toHexString(info.incarnation()) + ", " + info.state());
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);

    private final CuratorFramework client;
    private final ClusterPaths paths;
    private final String path;
    private final ACLProvider acls;
    private NodeInfo info;
    private ZooKeeper handle;
    private long sessionId;
    private int version = -1;

    /**
     * A registration created world-writable: for an anonymous client (a cluster run with {@code zookeeper-auth=off}).
     *
     * @param client a started Curator client; not closed by this registration.
     * @param paths  the cluster's layout.
     * @param info   what to publish.
     */
    public NodeRegistration(final CuratorFramework client, final ClusterPaths paths, final NodeInfo info)
    {
        this(client, paths, info, new DefaultACLProvider());
    }

    /**
     * @param client a started Curator client; not closed by this registration.
     * @param paths  the cluster's layout.
     * @param info   what to publish.
     * @param acls   the ACLs of the client's znodes ({@link ZooKeeperSettings#acls()}): the znode is created on the raw
     *               session, which Curator's ACL provider does not see.
     */
    public NodeRegistration(
        final CuratorFramework client, final ClusterPaths paths, final NodeInfo info, final ACLProvider acls)
    {
        this.acls = acls;
        this.client = client;
        this.paths = paths;
        this.path = paths.nodePath(info.nodeId());
        this.info = info;
    }

    /**
     * Creates the znode on the client's current session, unless another session holds the id.
     *
     * @return null once registered (also if this session had already created it); otherwise who holds the id. Nothing
     * is written then.
     * @throws Exception on a ZooKeeper error (e.g. connection loss; calling again is safe).
     */
    public Holder register() throws Exception
    {
        if (null != handle)
        {
            return null;
        }
        client.createContainers(paths.nodesPath());
        final ZooKeeper zooKeeper = client.getZookeeperClient().getZooKeeper();
        final long session = zooKeeper.getSessionId();
        final Stat stat = new Stat();
        try
        {
            zooKeeper.create(path, info.encode(), acls.getAclForPath(path), CreateMode.EPHEMERAL, stat);
        }
        catch (final KeeperException.NodeExistsException ex)
        {
            final byte[] data;
            try
            {
                data = zooKeeper.getData(path, false, stat);
            }
            catch (final KeeperException.NoNodeException gone)
            {
                return register();
            }
            if (stat.getEphemeralOwner() != session)
            {
                return new Holder(stat.getEphemeralOwner(), decodeOrNull(data));
            }
            // A create that succeeded before a connection loss, retried: it is ours. Publish what we meant to.
            version = stat.getVersion();
            handle = zooKeeper;
            sessionId = session;
            publish(info);
            return null;
        }
        version = stat.getVersion();
        handle = zooKeeper;
        sessionId = session;
        LOG.info("registered {} at {} on session 0x{}", info, path, Long.toHexString(session));
        return null;
    }

    private NodeInfo decodeOrNull(final byte[] data)
    {
        try
        {
            return NodeInfo.decode(ZKPaths.getNodeFromPath(path), data);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    /**
     * Registers now, as {@link #register()}, logging instead of returning who holds the id.
     */
    public void start()
    {
        try
        {
            final Holder holder = register();
            if (null != holder)
            {
                LOG.warn("cannot register {}: the id is held by {}", info.nodeId(), holder.describe());
            }
        }
        catch (final Exception ex)
        {
            LOG.warn("cannot register {} at {}: {}", info.nodeId(), path, ex.toString());
        }
    }

    /**
     * @param timeout unused: registration is synchronous; kept for callers written against the asynchronous one.
     * @return true if this registration holds its znode.
     */
    public boolean awaitRegistered(final Duration timeout)
    {
        return isRegistered();
    }

    /**
     * @return true once the znode was created on this registration's session (which may have ended since).
     */
    public boolean isRegistered()
    {
        return null != handle;
    }

    /**
     * @return the ZooKeeper session the znode was created on; 0 before.
     */
    public long sessionId()
    {
        return sessionId;
    }

    /**
     * Publishes a new state; see {@link #publish(NodeInfo)}.
     *
     * @param state the node's new state.
     * @throws Exception if it cannot be written.
     */
    public void updateState(final NodeState state) throws Exception
    {
        publish(info.withState(state));
    }

    /**
     * Publishes what the node now says of itself, with a write conditional on the version this registration last wrote
     * and sent on the session that created the znode; its id, endpoint and incarnation must stay what they were.
     *
     * @param updated the new contents.
     * @throws IllegalStateException if not registered, or the session that created the znode has ended.
     * @throws Exception             on a ZooKeeper error.
     */
    public void publish(final NodeInfo updated) throws Exception
    {
        if (!updated.nodeId().equals(info.nodeId()) || !updated.endpoint().equals(info.endpoint()) ||
            updated.incarnation() != info.incarnation())
        {
            throw new IllegalArgumentException("a registration keeps its node id, endpoint and incarnation: " + info +
                " -> " + updated);
        }
        if (null == handle)
        {
            throw new IllegalStateException("not registered: " + path);
        }
        try
        {
            version = handle.setData(path, updated.encode(), version).getVersion();
        }
        catch (final KeeperException.SessionExpiredException | KeeperException.NoNodeException ex)
        {
            throw new IllegalStateException("registration " + path + " ended with session 0x" +
                Long.toHexString(sessionId), ex);
        }
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
     * Deletes the znode if this registration still holds it (best effort; it goes with the session anyway).
     */
    public void close()
    {
        if (null == handle)
        {
            return;
        }
        try
        {
            // Only our own znode: one our session owns, at the version we wrote last.
            final Stat stat = handle.exists(path, false);
            if (null != stat && stat.getEphemeralOwner() == sessionId)
            {
                handle.delete(path, stat.getVersion());
            }
        }
        catch (final KeeperException.NoNodeException | KeeperException.BadVersionException |
            KeeperException.SessionExpiredException ex)
        {
            // Not ours any more (its session ended, and someone else may hold the id now): leave it.
        }
        catch (final Exception ex)
        {
            LOG.warn("closing registration {}: {}", path, ex.toString());
        }
        finally
        {
            handle = null;
        }
    }
}
