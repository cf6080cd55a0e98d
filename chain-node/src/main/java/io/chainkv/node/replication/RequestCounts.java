package io.chainkv.node.replication;

import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.Status;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many client requests a node answered, by operation and status. One thread (the replication agent)
 * counts, with ordered stores and no allocation; any thread (the metrics scrape) reads.
 */
public final class RequestCounts
{
    private static final int OPS = OpType.values().length;
    private static final int STATUSES = Status.values().length;

    private final AtomicLongArray counts = new AtomicLongArray(OPS * STATUSES);

    /**
     * Counts one answer. Single writer only.
     *
     * @param op     the request's operation.
     * @param status the answer's status.
     */
    public void record(final OpType op, final Status status)
    {
        final int index = op.ordinal() * STATUSES + status.ordinal();
        counts.lazySet(index, counts.get(index) + 1);
    }

    /**
     * @param op     an operation.
     * @param status a status.
     * @return answers of that status to requests of that operation so far.
     */
    public long count(final OpType op, final Status status)
    {
        return counts.get(op.ordinal() * STATUSES + status.ordinal());
    }
}
