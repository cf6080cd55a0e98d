package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.faults.cluster.NetworkNamespaces;

import java.util.SplittableRandom;

/**
 * Cuts one server of a ZooKeeper ensemble off from the other servers, both ways, while every client still reaches
 * it: a follower loses the leader, or the leader its quorum, and the majority elects again. The case a lease must
 * survive (docs/design.md, invariant 10): a node whose session lives on the cut server can no longer learn that it
 * expired there, so it may renew its lease only on evidence the majority's leader ordered. Half the time the cut server
 * is the leader. Needs network namespaces and a 3-server ensemble ({@code -Dchainkv.faults.zookeeper.servers=3}); with
 * a standalone server it injects nothing.
 */
public final class PartitionZooKeeperServer implements Nemesis
{
    public String name()
    {
        return "partition-zookeeper-server";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final NetworkNamespaces network = cluster.network();
        final int servers = cluster.local().zooKeeperServers().size();
        if (null == network || servers < 3)
        {
            return null;
        }
        int serverId = 1 + random.nextInt(servers);
        if (random.nextBoolean())
        {
            for (int id = 1; id <= servers; id++)
            {
                if ("leader".equals(cluster.local().zooKeeperMode(id)))
                {
                    serverId = id;
                }
            }
        }
        final String mode = cluster.local().zooKeeperMode(serverId);
        // Past a session, sessions on the cut server may end (their owners reconnect to the majority in time or are
        // spliced out), so only when the chain can spare a member.
        final int session = cluster.sessionTimeoutMs();
        final long holdMs = Targets.mayLoseMember(cluster) ? Targets.between(random, session, session * 4) :
            Targets.between(random, session / 2, session);
        final String what = "partition ZooKeeper server " + serverId + " (" + mode + ") from the ensemble for " +
            holdMs + " ms";
        network.partitionServer(serverId);
        final int cut = serverId;
        return new Fault(what, holdMs, () ->
        {
            network.healRoutes();
            return "rejoined ZooKeeper server " + cut + " to the ensemble";
        });
    }
}
