package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.node.harness.ChildProcess;

import java.util.SplittableRandom;

/**
 * kill -9 of the ZooKeeper server, and its restart on its data directory: every node suspends and must stop
 * serving until it has confirmed its session again. Mostly a quick restart, which sessions survive; one time in
 * four the server stays down past the session timeout, so sessions may expire and nodes re-register.
 */
public final class RestartZooKeeper implements Nemesis
{
    public String name()
    {
        return "restart-zookeeper";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final ChildProcess zooKeeper = cluster.local().zooKeeper();
        if (!zooKeeper.isAlive())
        {
            return null;
        }
        final boolean pastSession = random.nextInt(4) == 0;
        final long holdMs = pastSession ? Targets.between(random, cluster.sessionTimeoutMs(),
            cluster.sessionTimeoutMs() * 2L) : Targets.between(random, 0, 500);
        zooKeeper.kill9();
        return new Fault("kill -9 the ZooKeeper server, down for " + holdMs + " ms", holdMs, () ->
        {
            zooKeeper.restart();
            return "restarted the ZooKeeper server";
        });
    }
}
