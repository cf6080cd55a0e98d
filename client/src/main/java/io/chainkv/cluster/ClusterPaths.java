package io.chainkv.cluster;

import org.apache.curator.utils.ZKPaths;

/**
 * Where one cluster keeps its state in ZooKeeper. Every path of a cluster lives under
 * {@code /chainkv/<cluster>}, so clusters sharing an ensemble never see each other:
 * <pre>
 * /chainkv/&lt;cluster&gt;/config            the {@link ClusterConfig}, written only by the active master
 * /chainkv/&lt;cluster&gt;/nodes/&lt;nodeId&gt;     ephemeral: one live node's {@link NodeInfo}
 * /chainkv/&lt;cluster&gt;/masters/latch      Curator LeaderLatch of the masters
 * </pre>
 * See docs/design.md, section "ZooKeeper layout".
 */
public final class ClusterPaths
{
    /** Root of every ChainKV cluster in an ensemble. */
    public static final String ROOT = "/chainkv";

    private final String cluster;
    private final String clusterPath;

    /**
     * @param cluster name of the cluster; one path segment.
     */
    public ClusterPaths(final String cluster)
    {
        if (null == cluster || !cluster.matches("[A-Za-z0-9_.-]+") || cluster.equals(".") || cluster.equals(".."))
        {
            throw new IllegalArgumentException("cluster name must be letters, digits, '_', '.' or '-', was '" +
                cluster + "'");
        }
        this.cluster = cluster;
        this.clusterPath = ZKPaths.makePath(ROOT, cluster);
    }

    public String cluster()
    {
        return cluster;
    }

    /**
     * @return the cluster's root znode.
     */
    public String clusterPath()
    {
        return clusterPath;
    }

    /**
     * @return the znode holding the encoded {@link ClusterConfig}.
     */
    public String configPath()
    {
        return clusterPath + "/config";
    }

    /**
     * @return the parent of the nodes' ephemeral registrations.
     */
    public String nodesPath()
    {
        return clusterPath + "/nodes";
    }

    /**
     * @param nodeId a node.
     * @return the znode of that node's registration.
     */
    public String nodePath(final String nodeId)
    {
        return ZKPaths.makePath(nodesPath(), nodeId);
    }

    /**
     * @return the parent of the operators' removal requests: a persistent child per node to take out of its chain,
     * holding "drain" (once the chain no longer needs it) or "remove" (now).
     */
    public String removalsPath()
    {
        return clusterPath + "/removals";
    }

    /**
     * @param nodeId a node.
     * @return the znode of an operator's request to take that node out.
     */
    public String removalPath(final String nodeId)
    {
        return ZKPaths.makePath(removalsPath(), nodeId);
    }

    /**
     * @return the parent of everything the masters keep.
     */
    public String mastersPath()
    {
        return clusterPath + "/masters";
    }

    /**
     * @return the path of the masters' LeaderLatch.
     */
    public String leaderLatchPath()
    {
        return mastersPath() + "/latch";
    }

    public String toString()
    {
        return clusterPath;
    }
}
