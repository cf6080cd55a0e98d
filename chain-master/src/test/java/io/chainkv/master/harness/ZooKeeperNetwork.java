package io.chainkv.master.harness;

import java.util.List;

/**
 * Where the servers of a {@link LocalCluster}'s ZooKeeper ensemble live on the network: the address each binds, and
 * the command prefix that puts its process there (e.g. {@code ip netns exec <namespace>}), so a test can cut one server
 * off from the others. The default, {@link #LOOPBACK}, runs every server on 127.0.0.1.
 */
public interface ZooKeeperNetwork
{
    /** Every server on 127.0.0.1, started directly. */
    ZooKeeperNetwork LOOPBACK = new ZooKeeperNetwork()
    {
        public String serverHost(final int serverId)
        {
            return "127.0.0.1";
        }

        public List<String> serverCommandPrefix(final int serverId)
        {
            return List.of();
        }
    };

    /**
     * @param serverId 1..N.
     * @return the address the server binds its client, quorum and election ports to; every process reaches it there.
     */
    String serverHost(int serverId);

    /**
     * @param serverId 1..N.
     * @return words put before {@code java ...}; empty for none. The prefix must exec the java command in place.
     */
    List<String> serverCommandPrefix(int serverId);
}
