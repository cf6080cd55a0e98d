package io.chainkv.master.cli;

import io.chainkv.cluster.ClusterPaths;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;

/**
 * {@code chainctl drain}, {@code chainctl remove-node} and {@code chainctl add-node}: operators' requests about a
 * node's membership, kept in ZooKeeper under {@link ClusterPaths#removalsPath()} for the active master to act on.
 * A node is added by starting it (it registers as a spare and joins a chain that needs it); {@code add-node}
 * withdraws an earlier drain or removal so the node may be given a place again.
 */
public final class MembershipCommands
{
    private MembershipCommands()
    {
    }

    /**
     * Drains a node: it leaves its chain once the chain has the replication factor without it.
     */
    @Command(name = "drain", mixinStandardHelpOptions = true,
        description = "Takes a node out of its chain once the chain no longer needs it (a spare joins first); the " +
            "node is never given a place again until 'add-node'. Returns at once; watch with 'status'.")
    public static final class Drain extends Request
    {
        public Integer call() throws Exception
        {
            return write("drain", "will leave its chain once the chain has its replication factor without it");
        }
    }

    /**
     * Removes a node now, even if its chain is left short (never its chain's last member).
     */
    @Command(name = "remove-node", mixinStandardHelpOptions = true,
        description = "Takes a node out of its chain now, even if the chain is left short (never the last member).")
    public static final class Remove extends Request
    {
        public Integer call() throws Exception
        {
            return write("remove", "leaves its chain at the next configuration");
        }
    }

    /**
     * Withdraws a drain or removal.
     */
    @Command(name = "add-node", mixinStandardHelpOptions = true,
        description = "Lets a node be given a place again (withdraws 'drain' or 'remove-node'). A new node is added " +
            "by starting it: it registers as a spare and joins a chain that is short.")
    public static final class Add extends Request
    {
        public Integer call() throws Exception
        {
            return withZooKeeper((client, paths) ->
            {
                try
                {
                    client.delete().forPath(paths.removalPath(nodeId));
                    ctl.out().println("node " + nodeId + " may be given a place again");
                }
                catch (final KeeperException.NoNodeException ex)
                {
                    ctl.out().println("node " + nodeId + " had no drain or removal request; start it to add it");
                }
                return ChainCtl.EXIT_OK;
            });
        }
    }

    /**
     * What the three commands share: which node, and a ZooKeeper connection to write its request with.
     */
    abstract static class Request extends CtlCommand
    {
        @Parameters(index = "0", paramLabel = "<node-id>", description = "The node.")
        String nodeId;

        int write(final String what, final String outcome) throws Exception
        {
            return withZooKeeper((client, paths) ->
            {
                final byte[] data = what.getBytes(StandardCharsets.UTF_8);
                try
                {
                    client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                        .forPath(paths.removalPath(nodeId), data);
                }
                catch (final KeeperException.NodeExistsException ex)
                {
                    client.setData().forPath(paths.removalPath(nodeId), data);
                }
                ctl.out().println("node " + nodeId + " " + outcome + "; the active master acts on it within seconds");
                return ChainCtl.EXIT_OK;
            });
        }

        int withZooKeeper(final ZooKeeperAction action) throws Exception
        {
            try (CuratorFramework client = connection.connect())
            {
                final int exit = action.run(client, connection.paths());
                ctl.out().flush();
                return exit;
            }
        }
    }

    @FunctionalInterface
    interface ZooKeeperAction
    {
        int run(CuratorFramework client, ClusterPaths paths) throws Exception;
    }
}
