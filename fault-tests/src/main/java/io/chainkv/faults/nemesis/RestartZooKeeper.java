package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.node.harness.ChildProcess;

import java.util.SplittableRandom;

/**
 * kill -9 of the ZooKeeper server, and its restart on its data directory: every node suspends and must stop
 * serving until it has confirmed its session again.
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
        zooKeeper.kill9();
        return new Fault("kill -9 the ZooKeeper server", Targets.between(random, 0, 500), () ->
        {
            zooKeeper.restart();
            return "restarted the ZooKeeper server";
        });
    }
}
