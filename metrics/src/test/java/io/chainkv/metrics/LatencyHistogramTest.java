package io.chainkv.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatencyHistogramTest
{
    private final LatencyHistogram histogram = new LatencyHistogram("latency_seconds", "Latency.");

    private long countAtOrBelow(final HistogramSnapshot snapshot, final double bound)
    {
        final ClassicHistogramBuckets buckets = snapshot.getDataPoints().get(0).getClassicBuckets();
        long cumulative = 0;
        for (int i = 0; i < buckets.size(); i++)
        {
            cumulative += buckets.getCount(i);
            if (buckets.getUpperBound(i) == bound)
            {
                return cumulative;
            }
        }
        throw new AssertionError("no bucket " + bound);
    }

    @Test
    void scrapeCountsEachLatencyInTheBucketOfItsSeconds()
    {
        histogram.recordNs(200_000);     // 0.2 ms
        histogram.recordNs(3_000_000);   // 3 ms
        histogram.recordNs(2_000_000_000L); // 2 s

        final HistogramSnapshot snapshot = (HistogramSnapshot)histogram.collect();

        assertEquals(1, countAtOrBelow(snapshot, 0.00025));
        assertEquals(2, countAtOrBelow(snapshot, 0.005));
        assertEquals(2, countAtOrBelow(snapshot, 1));
        assertEquals(3, countAtOrBelow(snapshot, Double.POSITIVE_INFINITY));
        assertEquals(3, snapshot.getDataPoints().get(0).getCount());
    }

    @Test
    void scrapesAccumulateWhatWasRecordedBetweenThem()
    {
        histogram.recordNs(1_000);
        histogram.collect();
        histogram.recordNs(1_000);

        final HistogramSnapshot snapshot = (HistogramSnapshot)histogram.collect();

        assertEquals(2, snapshot.getDataPoints().get(0).getCount());
        assertEquals(2, histogram.totalCount());
    }
}
