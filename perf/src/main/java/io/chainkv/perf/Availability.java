package io.chainkv.perf;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Tracks the longest stretch of the measured window with no successful op: the unavailability a user sees
 * when a node dies. Includes the stretch from the window's start to the first success and from the last
 * success to the window's end.
 * <p>
 * {@link #onSuccess(long)} is lock-free; the rare new longest gap is recorded under a lock.
 */
public final class Availability
{
    private final long windowStartNs;
    private final AtomicLong lastSuccessNs;
    private long longestGapNs;
    private long longestGapStartNs;

    /**
     * @param windowStartNs start of the measured window (System.nanoTime()).
     */
    public Availability(final long windowStartNs)
    {
        this.windowStartNs = windowStartNs;
        this.lastSuccessNs = new AtomicLong(windowStartNs);
    }

    /**
     * @param nowNs when an op succeeded.
     */
    public void onSuccess(final long nowNs)
    {
        // getAndAccumulate keeps the timestamp monotonic when callbacks on several threads race.
        final long previousNs = lastSuccessNs.getAndAccumulate(nowNs, Math::max);
        if (nowNs > previousNs)
        {
            noteGap(previousNs, nowNs);
        }
    }

    /**
     * Closes the window, counting the stretch since the last success.
     *
     * @param windowEndNs end of the measured window.
     */
    public void close(final long windowEndNs)
    {
        final long lastNs = lastSuccessNs.get();
        if (windowEndNs > lastNs)
        {
            noteGap(lastNs, windowEndNs);
        }
    }

    /**
     * @return longest gap in nanoseconds.
     */
    public synchronized long longestGapNs()
    {
        return longestGapNs;
    }

    /**
     * @return when the longest gap started, in nanoseconds after the window's start.
     */
    public synchronized long longestGapStartOffsetNs()
    {
        return longestGapStartNs - windowStartNs;
    }

    private void noteGap(final long fromNs, final long toNs)
    {
        final long gapNs = toNs - fromNs;
        synchronized (this)
        {
            if (gapNs > longestGapNs)
            {
                longestGapNs = gapNs;
                longestGapStartNs = fromNs;
            }
        }
    }
}
