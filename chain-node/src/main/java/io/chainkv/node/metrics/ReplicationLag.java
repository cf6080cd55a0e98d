package io.chainkv.node.metrics;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * How long the oldest update this node applied has been waiting to be committed (to reach the tail): the node's
 * replication lag in time. It samples the node's applied and committed sequence numbers (from its counters)
 * every few milliseconds on its own thread, so the data path does nothing for it; the result is accurate to a
 * sample period.
 */
public final class ReplicationLag
{
    /** Samples kept at most; past that the oldest waiting ones are kept, which is what the lag is made of. */
    private static final int MAX_SAMPLES = 4096;

    private final LongSupplier appliedSeq;
    private final LongSupplier committedSeq;
    private final ArrayDeque<long[]> waiting = new ArrayDeque<>();
    private long lastApplied = Long.MIN_VALUE;
    private volatile long lagNs;

    /**
     * @param appliedSeq   reads the node's last applied seq.
     * @param committedSeq reads the node's last committed seq.
     */
    public ReplicationLag(final LongSupplier appliedSeq, final LongSupplier committedSeq)
    {
        this.appliedSeq = appliedSeq;
        this.committedSeq = committedSeq;
    }

    /**
     * Takes one sample; called by one thread at a fixed rate.
     *
     * @param nowNs {@link System#nanoTime()}.
     */
    public void sample(final long nowNs)
    {
        final long committed = committedSeq.getAsLong();
        final long applied = appliedSeq.getAsLong();
        if (applied != lastApplied && applied > committed && waiting.size() < MAX_SAMPLES)
        {
            waiting.addLast(new long[]{ applied, nowNs });
        }
        lastApplied = applied;
        while (!waiting.isEmpty() && waiting.peekFirst()[0] <= committed)
        {
            waiting.removeFirst();
        }
        lagNs = waiting.isEmpty() ? 0 : nowNs - waiting.peekFirst()[1];
    }

    /**
     * @return nanoseconds the oldest applied but uncommitted update has waited, as of the last sample; 0 if none.
     */
    public long lagNs()
    {
        return lagNs;
    }
}
