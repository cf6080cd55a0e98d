package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.master.harness.MasterProcess;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * kill -9 of the active master, and its restart a little later; the standby takes over meanwhile.
 */
public final class KillMaster implements Nemesis
{
    public String name()
    {
        return "kill-master";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        for (final MasterProcess master : cluster.masters())
        {
            if (!master.isAlive())
            {
                return null;
            }
        }
        final MasterProcess leader = cluster.local().awaitLeader(Duration.ofSeconds(30));
        leader.kill9();
        return new Fault("kill -9 active master " + leader.id(), Targets.between(random, 500, 3_000), () ->
        {
            leader.restart();
            return "restarted master " + leader.id();
        });
    }
}
