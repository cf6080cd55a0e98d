package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.faults.cluster.NetworkNamespaces;
import io.chainkv.node.harness.NodeProcess;

import java.util.SplittableRandom;

/**
 * Takes a node's link down (it reaches nothing: ZooKeeper, neighbours, clients), then up again: briefly, or past its
 * session so that it is spliced out while it still runs. Needs network namespaces.
 */
public final class IsolateNode implements Nemesis
{
    public String name()
    {
        return "isolate-node";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final NetworkNamespaces network = cluster.network();
        final boolean pastSession = random.nextBoolean() && Targets.mayLoseMember(cluster);
        final NodeProcess node = Targets.runningNode(cluster, random, pastSession || Targets.mayLoseMember(cluster));
        if (null == network || null == node)
        {
            return null;
        }
        final int session = cluster.sessionTimeoutMs();
        final long holdMs = pastSession ? Targets.between(random, session + 1_000, session + 3_000) :
            Targets.between(random, 300, session / 2);
        final String what = "link down " + Targets.describe(cluster, node) + " for " + holdMs + " ms";
        network.isolate(node.id());
        return new Fault(what, holdMs, () ->
        {
            network.reconnect(node.id());
            return "link up " + node.id();
        });
    }
}
