package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.faults.cluster.NetworkNamespaces;
import io.chainkv.node.harness.NodeProcess;

import java.util.SplittableRandom;

/**
 * Cuts a chain member off from ZooKeeper only, past its session: the master splices it out while it still reaches
 * its neighbours and the clients. The split-brain case: it must stop serving (its lease) before the new chain
 * serves without it. Needs network namespaces.
 */
public final class CutNodeFromZooKeeper implements Nemesis
{
    public String name()
    {
        return "cut-from-zookeeper";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final NetworkNamespaces network = cluster.network();
        if (null == network)
        {
            return null;
        }
        final boolean pastSession = Targets.mayLoseMember(cluster);
        final NodeProcess node = Targets.runningNode(cluster, random, pastSession);
        if (null == node)
        {
            return null;
        }
        final int session = cluster.sessionTimeoutMs();
        final long holdMs = pastSession ? Targets.between(random, session + 1_000, session + 4_000) :
            Targets.between(random, session, session * 2);
        final String what = "cut " + Targets.describe(cluster, node) + " from ZooKeeper for " + holdMs + " ms";
        network.cutFromZooKeeper(node.id());
        return new Fault(what, holdMs, () ->
        {
            network.healRoutes();
            return "reconnected " + node.id() + " to ZooKeeper";
        });
    }
}
