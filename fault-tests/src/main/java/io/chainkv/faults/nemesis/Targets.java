package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.node.harness.NodeProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks what a nemesis breaks.
 */
final class Targets
{
    private Targets()
    {
    }

    /**
     * @return true if the chain keeps a healthy member even if one more is spliced out.
     */
    static boolean mayLoseMember(final FaultCluster cluster)
    {
        return cluster.healthyMembers().size() >= 2;
    }

    /**
     * @param mayBeMember whether a chain member may be picked.
     * @return a running, unpaused node, or null if none qualifies.
     */
    static NodeProcess runningNode(final FaultCluster cluster, final SplittableRandom random, final boolean mayBeMember)
    {
        final List<String> members = cluster.chainMembers();
        final List<NodeProcess> candidates = new ArrayList<>();
        for (final NodeProcess node : cluster.nodes())
        {
            if (node.isAlive() && !node.isPaused() && (mayBeMember || !members.contains(node.id())))
            {
                candidates.add(node);
            }
        }
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }

    /**
     * @return a random duration in [fromMs, toMs).
     */
    static long between(final SplittableRandom random, final long fromMs, final long toMs)
    {
        return fromMs + random.nextLong(Math.max(1, toMs - fromMs));
    }

    static String describe(final FaultCluster cluster, final NodeProcess node)
    {
        return node.id() + " (" + cluster.roleOf(node.id()) + ")";
    }
}
