package io.chainkv.perf;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The measurements of one op type: a latency {@link Recorder} written by completion callbacks on any thread
 * without locks or allocation, drained once a second into an interval histogram and the run's cumulative one;
 * and counters of errors, CAS conflicts and reads that found no key.
 */
public final class OpStats
{
    /** Latencies are recorded in nanoseconds, clamped to this (longer than any request timeout). */
    public static final long MAX_LATENCY_NS = TimeUnit.MINUTES.toNanos(5);

    private static final int SIGNIFICANT_DIGITS = 3;

    private final Op op;
    private final Recorder recorder = new Recorder(MAX_LATENCY_NS, SIGNIFICANT_DIGITS);
    private final Histogram cumulative = new Histogram(MAX_LATENCY_NS, SIGNIFICANT_DIGITS);
    private final LongAdder errors = new LongAdder();
    private final LongAdder conflicts = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private Histogram interval;

    /**
     * @param op the op type measured.
     */
    public OpStats(final Op op)
    {
        this.op = op;
    }

    /**
     * Records one completed op. Thread-safe, wait-free, allocation-free.
     *
     * @param startNs     when the op was due: its send time in a closed loop, its intended send time in an open
     *                    loop (so waiting behind a stall counts as latency).
     * @param completedNs when its answer arrived.
     */
    public void recordLatency(final long startNs, final long completedNs)
    {
        recorder.recordValue(Math.min(Math.max(0, completedNs - startNs), MAX_LATENCY_NS));
    }

    public void recordError()
    {
        errors.increment();
    }

    public void recordConflict()
    {
        conflicts.increment();
    }

    public void recordMiss()
    {
        misses.increment();
    }

    /**
     * Moves what was recorded since the last call into the cumulative histogram. Call from one thread.
     *
     * @return the latencies recorded since the last call (valid until the next call).
     */
    public Histogram sampleInterval()
    {
        interval = recorder.getIntervalHistogram(interval);
        cumulative.add(interval);
        return interval;
    }

    public Op op()
    {
        return op;
    }

    /**
     * @return every latency sampled so far (call {@link #sampleInterval()} first for the newest).
     */
    public Histogram cumulative()
    {
        return cumulative;
    }

    public long errors()
    {
        return errors.sum();
    }

    public long conflicts()
    {
        return conflicts.sum();
    }

    public long misses()
    {
        return misses.sum();
    }
}
