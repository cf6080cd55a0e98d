package io.chainkv.master.cli;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterConfigCodec;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.zk.MembershipWatcher;
import io.chainkv.master.zk.RegisteredNode;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a cluster looks like in ZooKeeper at one moment: its configuration (if a master has written one), its
 * live registered nodes, and its masters with the leader. Read by {@code chainctl status} and by tests.
 * <p>
 * Each part is read separately, so under churn the parts may come from slightly different moments; nothing here
 * is used to make a decision, only to show one.
 */
public final class ClusterStatus
{
    /** A node's role from its place in a chain; also what nodes log. */
    public static final String HEAD = "HEAD";
    public static final String MIDDLE = "MIDDLE";
    public static final String TAIL = "TAIL";
    public static final String HEAD_TAIL = "HEAD_TAIL";

    /**
     * One master taking part in the election.
     */
    public static final class Master
    {
        private final String id;
        private final boolean leader;

        Master(final String id, final boolean leader)
        {
            this.id = id;
            this.leader = leader;
        }

        public String id()
        {
            return id;
        }

        /**
         * @return true if this master holds the lowest latch node, so is (or is about to be) the active one.
         */
        public boolean leader()
        {
            return leader;
        }

        public String toString()
        {
            return id + (leader ? " (leader)" : "");
        }
    }

    private final String connectString;
    private final ClusterPaths paths;
    private final ClusterConfig config;
    private final Map<String, NodeInfo> liveNodes;
    private final List<Master> masters;

    private ClusterStatus(
        final String connectString,
        final ClusterPaths paths,
        final ClusterConfig config,
        final Map<String, NodeInfo> liveNodes,
        final List<Master> masters)
    {
        this.connectString = connectString;
        this.paths = paths;
        this.config = config;
        this.liveNodes = Collections.unmodifiableMap(liveNodes);
        this.masters = Collections.unmodifiableList(masters);
    }

    /**
     * @param client a connected Curator client.
     * @param paths  the cluster.
     * @return the cluster as ZooKeeper holds it now.
     * @throws Exception on a ZooKeeper error.
     */
    public static ClusterStatus read(final CuratorFramework client, final ClusterPaths paths) throws Exception
    {
        ClusterConfig config = null;
        try
        {
            config = ClusterConfigCodec.decode(client.getData().forPath(paths.configPath()));
        }
        catch (final KeeperException.NoNodeException ex)
        {
            // No master has written a configuration yet.
        }
        final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
        for (final RegisteredNode node : MembershipWatcher.readLiveNodes(client, paths).values())
        {
            nodes.put(node.nodeId(), node.info());
        }
        return new ClusterStatus(client.getZookeeperClient().getCurrentConnectionString(), paths, config, nodes,
            readMasters(client, paths));
    }

    /**
     * Reads the masters' LeaderLatch: each participant's latch node holds its id, and the one with the lowest
     * sequence number leads.
     *
     * @param client a connected Curator client.
     * @param paths  the cluster.
     * @return the masters in election order, leader first; empty if none runs.
     * @throws Exception on a ZooKeeper error.
     */
    public static List<Master> readMasters(final CuratorFramework client, final ClusterPaths paths) throws Exception
    {
        final List<String> children;
        try
        {
            children = new ArrayList<>(client.getChildren().forPath(paths.leaderLatchPath()));
        }
        catch (final KeeperException.NoNodeException ex)
        {
            return List.of();
        }
        // Latch nodes are "<protection prefix>latch-<sequence>"; the sequence orders the election.
        children.sort(Comparator.comparing(ClusterStatus::latchSequence));
        final List<Master> masters = new ArrayList<>();
        for (final String child : children)
        {
            try
            {
                final byte[] data = client.getData().forPath(ZKPaths.makePath(paths.leaderLatchPath(), child));
                masters.add(new Master(new String(data, StandardCharsets.UTF_8), masters.isEmpty()));
            }
            catch (final KeeperException.NoNodeException ex)
            {
                // That master's session ended between the listing and the read.
            }
        }
        return masters;
    }

    /**
     * @param chain  a chain.
     * @param nodeId a member of it.
     * @return HEAD, MIDDLE, TAIL or HEAD_TAIL, or null if the node is not a member.
     */
    public static String roleOf(final ChainConfig chain, final String nodeId)
    {
        final int index = chain.indexOf(nodeId);
        if (index < 0)
        {
            return null;
        }
        final int last = chain.members().size() - 1;
        if (0 == last)
        {
            return HEAD_TAIL;
        }
        return 0 == index ? HEAD : last == index ? TAIL : MIDDLE;
    }

    public String connectString()
    {
        return connectString;
    }

    public String clusterName()
    {
        return paths.cluster();
    }

    /**
     * @return the configuration, or null if no master has written one yet.
     */
    public ClusterConfig config()
    {
        return config;
    }

    /**
     * @return live registered nodes by id, in id order.
     */
    public Map<String, NodeInfo> liveNodes()
    {
        return liveNodes;
    }

    /**
     * @return ids of live nodes that are in no chain.
     */
    public List<String> spares()
    {
        final Set<String> members = null == config ? Set.of() : config.memberIds();
        final List<String> spares = new ArrayList<>();
        for (final String id : liveNodes.keySet())
        {
            if (!members.contains(id))
            {
                spares.add(id);
            }
        }
        return spares;
    }

    /**
     * @return the masters in election order, leader first.
     */
    public List<Master> masters()
    {
        return masters;
    }

    /**
     * @return the id of the leading master, or null if no master runs.
     */
    public String leaderId()
    {
        return masters.isEmpty() ? null : masters.get(0).id();
    }

    /**
     * @return the table {@code chainctl status} prints, without the nodes' progress.
     */
    public String toText()
    {
        return new StatusReport(this, Map.of()).toText();
    }

    /**
     * @return the same as {@link #toText()} as one JSON object.
     */
    public String toJson()
    {
        return new StatusReport(this, Map.of()).toJson();
    }

    private static String latchSequence(final String child)
    {
        final int at = child.lastIndexOf("latch-");
        return at < 0 ? child : child.substring(at + "latch-".length());
    }
}
