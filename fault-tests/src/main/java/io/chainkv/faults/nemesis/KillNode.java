package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.node.harness.NodeProcess;

import java.util.SplittableRandom;

/**
 * kill -9 of a node (head, middle, tail or spare), and its restart on its data directory up to 3 s later, often
 * before its session has expired (the restarted node must not take its old place with a lost Sent list). Today a
 * restarted member comes back as a spare; once rejoin exists it comes back into the chain.
 */
public final class KillNode implements Nemesis
{
    public String name()
    {
        return "kill-node";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final NodeProcess node = Targets.runningNode(cluster, random, Targets.mayLoseMember(cluster));
        if (null == node)
        {
            return null;
        }
        final String what = "kill -9 " + Targets.describe(cluster, node);
        node.kill9();
        return new Fault(what, Targets.between(random, 0, 3_000), () ->
        {
            node.restart();
            return "restarted " + node.id() + " (now " + cluster.roleOf(node.id()) + ")";
        });
    }
}
