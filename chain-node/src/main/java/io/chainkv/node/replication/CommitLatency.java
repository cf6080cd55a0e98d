package io.chainkv.node.replication;

import io.chainkv.metrics.LatencyHistogram;

/**
 * Write commit latency seen at the head: from sequencing a write to learning that the tail applied it (an ack,
 * or at once when the head is also the tail). The agent notes each sequenced write in a ring of primitive
 * arrays and records the latency when acks pass it: no allocation, no locks, on the agent's thread only.
 * <p>
 * When more writes are waiting than the ring holds, the oldest are forgotten (not recorded) rather than blocking
 * anything; at that point the Sent list is far more telling than the histogram.
 */
public final class CommitLatency
{
    private static final int CAPACITY = 1 << 16;
    private static final int MASK = CAPACITY - 1;

    private final long[] seqs = new long[CAPACITY];
    private final long[] sequencedAtNs = new long[CAPACITY];
    private final LatencyHistogram histogram;
    private long first;
    private long next;

    /**
     * @param histogram where latencies go.
     */
    public CommitLatency(final LatencyHistogram histogram)
    {
        this.histogram = histogram;
    }

    /**
     * @param seq  a write the head just sequenced.
     * @param nowNs the agent's clock.
     */
    public void sequenced(final long seq, final long nowNs)
    {
        if (next - first == CAPACITY)
        {
            first++;
        }
        final int slot = (int)(next++ & MASK);
        seqs[slot] = seq;
        sequencedAtNs[slot] = nowNs;
    }

    /**
     * @param committedSeq every write up to this one is committed.
     * @param nowNs        the agent's clock.
     */
    public void committed(final long committedSeq, final long nowNs)
    {
        while (first < next)
        {
            final int slot = (int)(first & MASK);
            if (seqs[slot] > committedSeq)
            {
                break;
            }
            histogram.recordNs(nowNs - sequencedAtNs[slot]);
            first++;
        }
    }

    /**
     * @return the histogram latencies go to.
     */
    public LatencyHistogram histogram()
    {
        return histogram;
    }
}
