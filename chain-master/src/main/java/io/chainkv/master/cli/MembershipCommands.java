package io.chainkv.master.cli;

import io.chainkv.cluster.ClusterPaths;
import io.chainkv.config.ChainConfig;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code chainctl drain}, {@code chainctl remove-node} and {@code chainctl add-node}: operators' requests about a
 * node's membership, kept in ZooKeeper under {@link ClusterPaths#removalsPath()} for the active master to act on.
 * A node is added by starting it (it registers as a spare and joins a chain that needs it); {@code add-node}
 * withdraws an earlier drain or removal so the node may be given a place again.
 * <p>
 * Guards (docs/operations.md, "chainctl"): every one of them refuses a cluster that is not in ZooKeeper, so a typo in
 * {@code --cluster} writes nothing under a name no master watches; drain and remove-node refuse a node the cluster does
 * not know; remove-node, which can leave a chain short at once, shows what it will do and does it only with
 * {@code --yes} ({@code --dry-run} shows it and stops).
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
            return withZooKeeper((client, paths) ->
            {
                knownNode(client, paths);
                return request(client, paths, "drain",
                    "will leave its chain once the chain has its replication factor without it");
            });
        }
    }

    /**
     * Removes a node now, even if its chain is left short (never its chain's last member).
     */
    @Command(name = "remove-node", mixinStandardHelpOptions = true,
        description = "Takes a node out of its chain now, even if the chain is left short (never the last member). " +
            "Shows what it will do; does it only with --yes.")
    public static final class Remove extends Request
    {
        @Option(names = "--yes", description = "Do it (without it, the plan is shown and nothing changes).")
        boolean yes;

        @Option(names = "--dry-run", description = "Show the plan and change nothing.")
        boolean dryRun;

        public Integer call() throws Exception
        {
            if (yes && dryRun)
            {
                throw new CtlException(ChainCtl.EXIT_USAGE, "remove-node takes --yes or --dry-run, not both");
            }
            return withZooKeeper((client, paths) ->
            {
                final ClusterStatus status = knownNode(client, paths);
                ctl.out().println(planOf(status, nodeId));
                if (dryRun)
                {
                    ctl.out().println("dry run: nothing changed");
                    return ChainCtl.EXIT_OK;
                }
                if (!yes)
                {
                    ctl.out().flush();
                    throw new CtlException(ChainCtl.EXIT_USAGE, "remove-node changed nothing: run it again with --yes " +
                        "to do it (--dry-run only shows the plan)");
                }
                return request(client, paths, "remove", "leaves its chain at the next configuration");
            });
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
                knownCluster(client, paths);
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

        int request(final CuratorFramework client, final ClusterPaths paths, final String what, final String outcome)
            throws Exception
        {
            final byte[] data = what.getBytes(StandardCharsets.UTF_8);
            try
            {
                // Parents only under a cluster that exists (checked before): never a new tree under a mistyped name.
                client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                    .forPath(paths.removalPath(nodeId), data);
            }
            catch (final KeeperException.NodeExistsException ex)
            {
                client.setData().forPath(paths.removalPath(nodeId), data);
            }
            ctl.out().println("node " + nodeId + " " + outcome + "; the active master acts on it within seconds");
            return ChainCtl.EXIT_OK;
        }

        /**
         * @throws CtlException with {@link ChainCtl#EXIT_NOT_FOUND} naming the clusters there are, if this one is not
         * in ZooKeeper.
         */
        void knownCluster(final CuratorFramework client, final ClusterPaths paths) throws Exception
        {
            if (null != client.checkExists().forPath(paths.clusterPath()))
            {
                return;
            }
            List<String> clusters = List.of();
            try
            {
                clusters = client.getChildren().forPath(ClusterPaths.ROOT);
            }
            catch (final KeeperException.NoNodeException ex)
            {
                // No cluster at all in this ensemble.
            }
            throw new CtlException(ChainCtl.EXIT_NOT_FOUND, "no cluster '" + paths.cluster() + "' in ZooKeeper at " +
                connection.connectString + " (" + paths.clusterPath() + " does not exist); nothing changed. " +
                (clusters.isEmpty() ? "There is no cluster there: check --zk" :
                "Clusters there: " + String.join(", ", new TreeSet<>(clusters)) + "; check --cluster"));
        }

        /**
         * @return the cluster as it is now.
         * @throws CtlException with {@link ChainCtl#EXIT_NOT_FOUND} if the cluster, or the node in it, is unknown.
         */
        ClusterStatus knownNode(final CuratorFramework client, final ClusterPaths paths) throws Exception
        {
            knownCluster(client, paths);
            final ClusterStatus status = ClusterStatus.read(client, paths);
            if (null == chainOf(status, nodeId) && !status.liveNodes().containsKey(nodeId))
            {
                final Set<String> known = new TreeSet<>(status.liveNodes().keySet());
                if (null != status.config())
                {
                    known.addAll(status.config().memberIds());
                }
                throw new CtlException(ChainCtl.EXIT_NOT_FOUND, "cluster '" + paths.cluster() + "' has no node '" +
                    nodeId + "' (in no chain, not registered); nothing changed. Nodes: " +
                    (known.isEmpty() ? "none" : String.join(", ", known)));
            }
            return status;
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

    /**
     * @return what removing the node does, in the words of the master's rules (ChainPlanner).
     */
    static String planOf(final ClusterStatus status, final String nodeId)
    {
        final StringBuilder plan = new StringBuilder("plan: remove node " + nodeId + " from cluster " +
            status.clusterName() + " now\n");
        final ChainConfig chain = chainOf(status, nodeId);
        final boolean live = status.liveNodes().containsKey(nodeId);
        if (null == chain)
        {
            plan.append("  ").append(nodeId).append(" is a spare (registered, in no chain): it is never given a place");
        }
        else if (chain.indexOf(nodeId) < 0)
        {
            plan.append("  ").append(nodeId).append(" is joining chain ").append(chain.chainId())
                .append(" (epoch ").append(chain.epoch()).append("): its transfer stops and it is never given a place");
        }
        else
        {
            final List<String> after = new ArrayList<>(chain.memberIds());
            after.remove(nodeId);
            plan.append("  ").append(nodeId).append(" is ").append(ClusterStatus.roleOf(chain, nodeId))
                .append(" of chain ").append(chain.chainId()).append(" (epoch ").append(chain.epoch()).append("): ")
                .append(String.join(" -> ", chain.memberIds())).append(live ? "" : " (it is down)").append('\n');
            if (after.isEmpty())
            {
                plan.append("  it is the chain's only member, which holds every acknowledged write: the master does " +
                    "not remove it (the request waits until another member has joined)");
            }
            else
            {
                plan.append("  chain ").append(chain.chainId()).append(" becomes ").append(String.join(" -> ", after))
                    .append(" (").append(after.size()).append(after.size() == 1 ? " member" : " members")
                    .append(") at once, without waiting for a spare; a spare joins later if one is free (--heal)");
            }
        }
        plan.append("\n  ").append(live ? "the process keeps running; " : "")
            .append("'chainctl add-node ").append(nodeId).append("' lets it be given a place again");
        return plan.toString();
    }

    /**
     * @return the chain the node is a member or the joiner of, or null.
     */
    static ChainConfig chainOf(final ClusterStatus status, final String nodeId)
    {
        if (null != status.config())
        {
            for (final ChainConfig chain : status.config().chains())
            {
                if (chain.indexOf(nodeId) >= 0 || chain.isJoiner(nodeId))
                {
                    return chain;
                }
            }
        }
        return null;
    }

    @FunctionalInterface
    interface ZooKeeperAction
    {
        int run(CuratorFramework client, ClusterPaths paths) throws Exception;
    }
}
