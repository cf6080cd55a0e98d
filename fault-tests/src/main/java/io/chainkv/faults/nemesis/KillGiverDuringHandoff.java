package io.chainkv.faults.nemesis;

import io.chainkv.config.ChainConfig;
import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.node.harness.NodeProcess;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * kill -9 of the old tail while it hands the chain over to a promoted joiner: when the chain has a joiner, it waits
 * (a few seconds at most) for the master to make it a provisional tail and kills the node before it, the giver, at
 * once, before the handoff is proven; the giver restarts up to 3 s later. The promoted joiner must go back to
 * joining, and nothing its giver acknowledged may be lost (docs/healing.md, "The handoff is proven by the giver").
 * Does nothing while no join is under way; the other nemeses (kill-node, pause-node) start joins.
 */
public final class KillGiverDuringHandoff implements Nemesis
{
    private static final long PROMOTION_WAIT_NS = TimeUnit.SECONDS.toNanos(8);

    public String name()
    {
        return "kill-giver";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final ChainConfig now = cluster.chain();
        if (null == now || (null == now.joiner() && !now.tailProvisional()))
        {
            return null;
        }
        final long deadlineNs = System.nanoTime() + PROMOTION_WAIT_NS;
        ChainConfig chain = now;
        while (!chain.tailProvisional())
        {
            if (System.nanoTime() > deadlineNs || null == chain.joiner())
            {
                return null;
            }
            try
            {
                Thread.sleep(2);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return null;
            }
            chain = cluster.chain();
        }
        final String giverId = chain.members().get(chain.members().size() - 2).nodeId();
        final NodeProcess giver = cluster.local().node(giverId);
        if (!giver.isAlive() || giver.isPaused() || !Targets.mayLoseMember(cluster))
        {
            return null;
        }
        final String what = "kill -9 " + giverId + ", the old tail handing over to provisional tail " +
            chain.tail().nodeId() + " (epoch " + chain.epoch() + ")";
        giver.kill9();
        return new Fault(what, Targets.between(random, 0, 3_000), () ->
        {
            giver.restart();
            return "restarted " + giverId + " (now " + cluster.roleOf(giverId) + ")";
        });
    }
}
