package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.faults.cluster.NetworkNamespaces;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Cuts the network between two neighbours in the chain, both ways, while both keep their ZooKeeper sessions: the
 * chain stalls behind the cut, and must resume without losing or repeating anything when it heals. Needs network
 * namespaces.
 */
public final class PartitionNodes implements Nemesis
{
    public String name()
    {
        return "partition-nodes";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final NetworkNamespaces network = cluster.network();
        final List<String> members = cluster.healthyMembers();
        if (null == network || members.size() < 2)
        {
            return null;
        }
        final int i = random.nextInt(members.size() - 1);
        final String a = members.get(i);
        final String b = members.get(i + 1);
        final long holdMs = Targets.between(random, 500, 4_000);
        network.partition(a, b);
        return new Fault("partition " + a + " (" + cluster.roleOf(a) + ") <-> " + b + " (" + cluster.roleOf(b) +
            ") for " + holdMs + " ms", holdMs, () ->
        {
            network.healRoutes();
            return "healed " + a + " <-> " + b;
        });
    }
}
