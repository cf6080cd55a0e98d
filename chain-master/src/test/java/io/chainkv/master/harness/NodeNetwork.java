package io.chainkv.master.harness;

import java.util.List;

/**
 * Where a {@link LocalCluster}'s nodes live on the network: the address each node binds, the address they reach
 * ZooKeeper at, and the command prefix that puts a node's process where it belongs (e.g.
 * {@code ip netns exec <namespace>}). The default, {@link #LOOPBACK}, runs every node on 127.0.0.1.
 */
public interface NodeNetwork
{
    /** Every node on 127.0.0.1, started directly. */
    NodeNetwork LOOPBACK = new NodeNetwork()
    {
        public String nodeHost(final String nodeId)
        {
            return "127.0.0.1";
        }

        public String zooKeeperHost()
        {
            return "127.0.0.1";
        }

        public List<String> commandPrefix(final String nodeId)
        {
            return List.of();
        }
    };

    /**
     * @param nodeId e.g. "n1".
     * @return the address the node binds its endpoint to and its neighbours and clients send to.
     */
    String nodeHost(String nodeId);

    /**
     * @return the address of the ZooKeeper server as the nodes reach it (the server listens on every address).
     */
    String zooKeeperHost();

    /**
     * @param nodeId e.g. "n1".
     * @return words put before {@code java ...} when the node is started; empty for none. The prefix must exec
     * the java command in place, so the PID the harness signals is the JVM's.
     */
    List<String> commandPrefix(String nodeId);
}
