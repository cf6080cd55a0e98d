package io.chainkv.perf;

/**
 * The send times an open-loop worker intends: one op every {@code intervalNs}, whatever happened to the
 * previous ones. The runner measures each op's latency from its intended time, not from when it was
 * actually sent, so a stall (a GC, a full client window, a dead node) is charged to every op that should
 * have gone out during it: no coordinated omission. After a stall the worker sends the backlog at once.
 * Not thread-safe: one per worker.
 */
public final class OpenLoopSchedule
{
    private final long intervalNs;
    private long nextNs;

    /**
     * @param firstNs    intended time of the first op.
     * @param intervalNs time between intended send times.
     */
    public OpenLoopSchedule(final long firstNs, final long intervalNs)
    {
        if (intervalNs < 1)
        {
            throw new IllegalArgumentException("interval must be >= 1 ns, was " + intervalNs);
        }
        this.nextNs = firstNs;
        this.intervalNs = intervalNs;
    }

    /**
     * @param ratePerSecond total target rate of all workers.
     * @param workers       number of workers sharing it.
     * @return the interval of one worker.
     */
    public static long intervalNs(final double ratePerSecond, final int workers)
    {
        if (!(ratePerSecond > 0))
        {
            throw new IllegalArgumentException("rate must be > 0, was " + ratePerSecond);
        }
        return Math.max(1, Math.round(1e9 * workers / ratePerSecond));
    }

    /**
     * @param nowNs the time now.
     * @return true if the next op's intended time has come.
     */
    public boolean isDue(final long nowNs)
    {
        return nowNs - nextNs >= 0;
    }

    /**
     * @return the intended time of the next op, which is then considered sent.
     */
    public long claimNext()
    {
        final long intendedNs = nextNs;
        nextNs += intervalNs;
        return intendedNs;
    }

    /**
     * @return the intended time of the next op, not yet claimed.
     */
    public long peekNext()
    {
        return nextNs;
    }

    public long intervalNs()
    {
        return intervalNs;
    }
}
