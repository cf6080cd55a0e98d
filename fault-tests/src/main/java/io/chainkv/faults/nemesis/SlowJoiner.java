package io.chainkv.faults.nemesis;

import io.chainkv.config.ChainConfig;
import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.node.harness.NodeProcess;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A joiner (or a tail still provisional) slowed to about half speed for a few seconds: SIGSTOP and SIGCONT in turns
 * of 150 ms, each far shorter than its session, so it stays registered but falls behind the tail it follows. The tail
 * may cut it off (its backlog passes the cap) and the master may promote it while it lags: it must transfer again or
 * be proven to hold everything before it serves (docs/healing.md).
 */
public final class SlowJoiner implements Nemesis
{
    private static final long TURN_MS = 150;

    public String name()
    {
        return "slow-joiner";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final ChainConfig chain = cluster.chain();
        if (null == chain)
        {
            return null;
        }
        final String id = null != chain.joiner() ? chain.joiner().nodeId() :
            chain.tailProvisional() ? chain.tail().nodeId() : null;
        if (null == id)
        {
            return null;
        }
        final NodeProcess node = cluster.local().node(id);
        if (!node.isAlive() || node.isPaused())
        {
            return null;
        }
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread slower = new Thread(() ->
        {
            try
            {
                while (running.get() && node.isAlive())
                {
                    node.sigstop();
                    Thread.sleep(TURN_MS);
                    node.sigcont();
                    Thread.sleep(TURN_MS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                if (node.isPaused())
                {
                    node.sigcont();
                }
            }
        }, "slow-joiner-" + id);
        slower.setDaemon(true);
        slower.start();
        return new Fault("slow " + id + " (" + (null != chain.joiner() ? "joiner" : "provisional tail") +
            ") to half speed", Targets.between(random, 2_000, 6_000), () ->
        {
            running.set(false);
            try
            {
                slower.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return "full speed again for " + id;
        });
    }
}
