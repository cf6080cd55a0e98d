package io.chainkv.perf;

import java.util.concurrent.atomic.LongAdder;

/**
 * Everything the workers record during one run: per-op statistics, availability, and the time window in
 * which ops count. Shared by all workers and callbacks; every method is thread-safe.
 */
public final class RunStats
{
    private final OpStats[] ops = new OpStats[Op.count()];
    private final LongAdder completedUnmeasured = new LongAdder();
    private final long measureStartNs;
    private final long measureEndNs;
    private final Availability availability;
    private final Availability[] availabilityByOp = new Availability[Op.count()];

    /**
     * @param measureStartNs ops due at or after this count (System.nanoTime()); earlier ones are warm-up.
     * @param measureEndNs   ops due before this count; workers send nothing after it.
     */
    public RunStats(final long measureStartNs, final long measureEndNs)
    {
        for (int i = 0; i < ops.length; i++)
        {
            ops[i] = new OpStats(Op.of(i));
        }
        this.measureStartNs = measureStartNs;
        this.measureEndNs = measureEndNs;
        this.availability = new Availability(measureStartNs);
        for (int i = 0; i < availabilityByOp.length; i++)
        {
            availabilityByOp[i] = new Availability(measureStartNs);
        }
    }

    /**
     * @param dueNs when an op was due.
     * @return true if it falls in the measured window.
     */
    public boolean isMeasured(final long dueNs)
    {
        return dueNs - measureStartNs >= 0 && dueNs - measureEndNs < 0;
    }

    /**
     * Records a successful op.
     *
     * @param op          its type.
     * @param dueNs       when it was due.
     * @param completedNs when it completed.
     */
    public void onSuccess(final Op op, final long dueNs, final long completedNs)
    {
        if (isMeasured(dueNs))
        {
            ops[op.ordinal()].recordLatency(dueNs, completedNs);
        }
        else
        {
            completedUnmeasured.increment();
        }
        // Availability counts every success inside the window, also of ops sent during the warm-up, so a full
        // pipeline at the window's start does not look like an outage.
        if (isMeasured(completedNs))
        {
            availability.onSuccess(completedNs);
            availabilityByOp[op.ordinal()].onSuccess(completedNs);
        }
    }

    /**
     * Records a failed op (not counted in the latency histograms).
     *
     * @param op    its type.
     * @param dueNs when it was due.
     */
    public void onError(final Op op, final long dueNs)
    {
        if (isMeasured(dueNs))
        {
            ops[op.ordinal()].recordError();
        }
    }

    public OpStats op(final Op op)
    {
        return ops[op.ordinal()];
    }

    public long completedUnmeasured()
    {
        return completedUnmeasured.sum();
    }

    public long measureStartNs()
    {
        return measureStartNs;
    }

    public long measureEndNs()
    {
        return measureEndNs;
    }

    /**
     * @return gaps between successes of any op type.
     */
    public Availability availability()
    {
        return availability;
    }

    /**
     * @param op an op type.
     * @return gaps between successes of that type: with a dead middle node reads still succeed, writes do not.
     */
    public Availability availability(final Op op)
    {
        return availabilityByOp[op.ordinal()];
    }

    /**
     * Closes every availability window at the end of the measured window.
     */
    public void closeWindow()
    {
        availability.close(measureEndNs);
        for (final Availability byOp : availabilityByOp)
        {
            byOp.close(measureEndNs);
        }
    }
}
