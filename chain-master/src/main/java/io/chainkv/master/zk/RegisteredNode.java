package io.chainkv.master.zk;

import io.chainkv.cluster.NodeInfo;

/**
 * A live node as the master sees it: what it registered, and when, as ZooKeeper's creation zxid of its
 * registration znode. The zxid orders registrations the same way for every master, so bootstrap and spare
 * selection are deterministic.
 */
public final class RegisteredNode
{
    private final NodeInfo info;
    private final long registrationZxid;

    /**
     * @param info             what the node published.
     * @param registrationZxid creation zxid of its znode; lower registered earlier.
     */
    public RegisteredNode(final NodeInfo info, final long registrationZxid)
    {
        this.info = info;
        this.registrationZxid = registrationZxid;
    }

    public NodeInfo info()
    {
        return info;
    }

    public String nodeId()
    {
        return info.nodeId();
    }

    public long registrationZxid()
    {
        return registrationZxid;
    }

    public String toString()
    {
        return info + "#" + registrationZxid;
    }
}
