package io.chainkv.node.membership;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The replication agent's sign of life: the {@link System#nanoTime()} of its latest duty cycle. The agent stamps it
 * every cycle (one ordered store, no allocation); the lease keeper reads it and gives up the node's place when it stops
 * moving ({@link StalledAgentCheck}, docs/failures.md, "The replication thread dies or is stuck").
 * <p>
 * One writer (the agent thread), any number of readers.
 */
public final class DutyCycleHeartbeat
{
    private static final VarHandle LAST_BEAT_NS;

    static
    {
        try
        {
            LAST_BEAT_NS = MethodHandles.lookup().findVarHandle(DutyCycleHeartbeat.class, "lastBeatNs", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private volatile long lastBeatNs;

    /**
     * @param nowNs {@link System#nanoTime()} at creation: the agent counts as alive from then until its first cycle.
     */
    public DutyCycleHeartbeat(final long nowNs)
    {
        lastBeatNs = nowNs;
    }

    /**
     * Called by the agent once per duty cycle, and from waits inside one that still make progress.
     *
     * @param nowNs {@link System#nanoTime()}.
     */
    public void beat(final long nowNs)
    {
        // Ordered, not volatile: a reader a few microseconds late changes nothing, a full fence per cycle would cost.
        LAST_BEAT_NS.setRelease(this, nowNs);
    }

    /**
     * @return the {@link System#nanoTime()} of the latest beat.
     */
    public long lastBeatNs()
    {
        return lastBeatNs;
    }
}
