package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.master.harness.MasterProcess;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * SIGSTOP of the active master past its session, then SIGCONT: the standby takes over, and the old leader wakes
 * believing it leads. Its configuration writes must be fenced (conditional on the znode's version and on its own
 * latch node), so it cannot undo what the new leader wrote.
 */
public final class PauseMaster implements Nemesis
{
    public String name()
    {
        return "pause-master";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        for (final MasterProcess master : cluster.masters())
        {
            if (!master.isAlive() || master.process().isPaused())
            {
                return null;
            }
        }
        final MasterProcess leader = cluster.local().awaitLeader(Duration.ofSeconds(30));
        final int session = cluster.sessionTimeoutMs();
        final long holdMs = Targets.between(random, session + 500, session * 2L + 1_000);
        leader.sigstop();
        return new Fault("SIGSTOP active master " + leader.id() + " for " + holdMs + " ms", holdMs, () ->
        {
            leader.sigcont();
            return "SIGCONT master " + leader.id();
        });
    }
}
