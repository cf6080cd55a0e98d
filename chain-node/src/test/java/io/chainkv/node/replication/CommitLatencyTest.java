package io.chainkv.node.replication;

import io.chainkv.metrics.LatencyHistogram;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CommitLatencyTest
{
    private final LatencyHistogram histogram = new LatencyHistogram("commit_seconds", "Commit.");
    private final CommitLatency latency = new CommitLatency(histogram);

    private double sumSeconds()
    {
        return ((HistogramSnapshot)histogram.collect()).getDataPoints().get(0).getSum();
    }

    @Test
    void anAckRecordsEveryWriteUpToItsSeqOnceFromWhenItWasSequenced()
    {
        latency.sequenced(10, 1_000_000);
        latency.sequenced(11, 2_000_000);
        latency.sequenced(12, 3_000_000);

        latency.committed(11, 5_000_000);
        latency.committed(11, 9_000_000);

        assertEquals(0.007, sumSeconds(), 0.0001); // 4 ms + 3 ms; the repeated ack records nothing more
        assertEquals(2, histogram.totalCount());
    }

    @Test
    void sequenceNumbersMaySkipAsTheyDoAcrossEpochs()
    {
        latency.sequenced(5, 0);
        latency.sequenced(1L << 40, 0);

        latency.committed((1L << 40) + 3, 1_000);

        assertEquals(2, ((HistogramSnapshot)histogram.collect()).getDataPoints().get(0).getCount());
    }
}
