package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.master.harness.MasterProcess;
import io.chainkv.node.harness.NodeProcess;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A whole-cluster restart: kill -9 of every node and master, and half the time of the ZooKeeper server too (a power
 * cut), then, up to 3 s later, everything started again in a random order. Every member of the chain goes down at once;
 * the master must re-form it from a restarted member with every acknowledged write (docs/healing.md, "The whole
 * cluster restarts").
 */
public final class KillEverything implements Nemesis
{
    public String name()
    {
        return "kill-all";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final boolean zooKeeperToo = random.nextBoolean() && 1 == cluster.local().zooKeeperServers().size();
        final List<NodeProcess> nodes = new ArrayList<>();
        for (final NodeProcess node : cluster.nodes())
        {
            if (node.isAlive())
            {
                if (node.isPaused())
                {
                    node.sigcont();
                }
                node.kill9();
                nodes.add(node);
            }
        }
        for (final MasterProcess master : cluster.masters())
        {
            if (master.isAlive())
            {
                master.kill9();
            }
        }
        if (zooKeeperToo && cluster.local().zooKeeper().isAlive())
        {
            cluster.local().zooKeeper().kill9();
        }
        final long seed = random.nextLong();
        return new Fault("kill -9 of every node and master" + (zooKeeperToo ? " and of the ZooKeeper server" : ""),
            Targets.between(random, 0, 3_000), () ->
        {
            if (!cluster.local().zooKeeper().isAlive())
            {
                cluster.local().zooKeeper().restart();
            }
            final List<Runnable> starts = new ArrayList<>();
            nodes.forEach((node) -> starts.add(node::restart));
            cluster.masters().forEach((master) -> starts.add(() ->
            {
                if (!master.isAlive())
                {
                    master.restart();
                }
            }));
            Collections.shuffle(starts, new Random(seed));
            starts.forEach(Runnable::run);
            return "restarted everything in a random order (now " + cluster.chainMembers() + ")";
        });
    }
}
