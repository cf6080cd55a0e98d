package io.chainkv.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;

/**
 * A latency histogram one thread records into without locks or allocation (an HdrHistogram {@link Recorder})
 * and that a Prometheus scrape reads as a classic cumulative histogram in seconds.
 * <p>
 * The recording thread is the data path; the scrape, on the metrics server's thread, swaps the recorder's
 * interval histogram out and adds it to a running total, so recording never waits for a scrape.
 */
public final class LatencyHistogram implements Collector
{
    /** Longest latency kept exactly; longer ones count as this long. */
    public static final long MAX_TRACKED_NS = TimeUnit.SECONDS.toNanos(60);

    /** Bucket upper bounds in seconds: 50 µs to 10 s, about three per decade. */
    private static final double[] BOUNDS_SECONDS =
    {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
        Double.POSITIVE_INFINITY
    };

    private final String name;
    private final String help;
    private final Recorder recorder = new Recorder(1, MAX_TRACKED_NS, 2);
    private final Histogram total = new Histogram(1, MAX_TRACKED_NS, 2);
    private Histogram interval;

    /**
     * @param name metric name, ending in {@code _seconds}.
     * @param help what is measured, from where to where.
     */
    public LatencyHistogram(final String name, final String help)
    {
        this.name = name;
        this.help = help;
    }

    /**
     * Records one latency. Called by one thread only (the data path); wait-free, allocation-free.
     *
     * @param latencyNs nanoseconds.
     */
    public void recordNs(final long latencyNs)
    {
        recorder.recordValue(Math.max(1, Math.min(latencyNs, MAX_TRACKED_NS)));
    }

    /**
     * @return how many latencies were recorded up to the last scrape or {@link #collect()}.
     */
    public synchronized long totalCount()
    {
        return total.getTotalCount();
    }

    public String getPrometheusName()
    {
        return name;
    }

    public synchronized MetricSnapshot collect()
    {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);

        final long[] counts = new long[BOUNDS_SECONDS.length];
        long cumulative = 0;
        double sumSeconds = 0;
        int bucket = 0;
        for (final org.HdrHistogram.HistogramIterationValue value : total.recordedValues())
        {
            final double seconds = value.getValueIteratedTo() / 1e9;
            while (seconds > BOUNDS_SECONDS[bucket])
            {
                counts[bucket++] = cumulative;
            }
            cumulative += value.getCountAddedInThisIterationStep();
            sumSeconds += seconds * value.getCountAddedInThisIterationStep();
        }
        while (bucket < counts.length)
        {
            counts[bucket++] = cumulative;
        }
        // Prometheus classic buckets are cumulative counts per upper bound, as built above.
        return HistogramSnapshot.builder()
            .name(name)
            .help(help)
            .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS_SECONDS, toIncrements(counts)))
                .sum(sumSeconds)
                .build())
            .build();
    }

    private static long[] toIncrements(final long[] cumulative)
    {
        // ClassicHistogramBuckets.of takes per-bucket counts and accumulates them itself.
        final long[] increments = new long[cumulative.length];
        long previous = 0;
        for (int i = 0; i < cumulative.length; i++)
        {
            increments[i] = cumulative[i] - previous;
            previous = cumulative[i];
        }
        return increments;
    }
}
