package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.node.harness.NodeProcess;

import java.util.SplittableRandom;

/**
 * SIGSTOP of a node, then SIGCONT: either past its lease but within its session (it must refuse what queued up
 * while it slept, and is not spliced out), or past its session timeout (it is spliced out, and must never answer
 * from its old role when it wakes).
 */
public final class PauseNode implements Nemesis
{
    public String name()
    {
        return "pause-node";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final int session = cluster.sessionTimeoutMs();
        final boolean pastSession = random.nextBoolean() && Targets.mayLoseMember(cluster);
        final NodeProcess node = Targets.runningNode(cluster, random, true);
        if (null == node)
        {
            return null;
        }
        if (!pastSession && !Targets.mayLoseMember(cluster) && cluster.chainMembers().contains(node.id()))
        {
            // A loaded box may stretch even a short pause past the session; keep the last member out of it.
            return null;
        }
        final long holdMs = pastSession ? Targets.between(random, session + 500, session + 2_500) :
            Targets.between(random, session / 2, session * 3 / 4);
        final String what = "SIGSTOP " + Targets.describe(cluster, node) + " for " + holdMs + " ms (" +
            (pastSession ? "past" : "within") + " its " + session + " ms session)";
        node.sigstop();
        return new Fault(what, holdMs, () ->
        {
            node.sigcont();
            return "SIGCONT " + node.id();
        });
    }
}
