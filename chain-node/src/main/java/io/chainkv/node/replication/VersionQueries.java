package io.chainkv.node.replication;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Client reads a member holds while it asks the tail which version of their key is committed (CRAQ's version
 * query). Each slot keeps a copy of the client's request message, so the read is answered from it once the tail
 * replies, or refused when the reply does not come in time.
 * <p>
 * A query id names a slot and a use of it: a late reply to a slot that has since been reused does not match.
 * Bounded, so a flood of dirty reads is refused ({@code BUSY}) instead of growing memory. Used by the replication
 * agent's thread only.
 */
final class VersionQueries
{
    private final ExpandableArrayBuffer[] requests;
    private final int[] lengths;
    private final long[] queryIds;
    private final long[] deadlinesNs;
    private final int mask;
    private long nextQueryId = 1;
    private int inFlight;

    /**
     * @param capacity reads waiting at once; rounded up to a power of two.
     */
    VersionQueries(final int capacity)
    {
        final int slots = BitUtil.findNextPositivePowerOfTwo(capacity);
        requests = new ExpandableArrayBuffer[slots];
        lengths = new int[slots];
        queryIds = new long[slots];
        deadlinesNs = new long[slots];
        mask = slots - 1;
    }

    /**
     * Keeps a copy of a client's read.
     *
     * @return the query id to send to the tail, or 0 if every slot is taken.
     */
    long add(final DirectBuffer message, final int offset, final int length, final long deadlineNs)
    {
        final long queryId = nextQueryId;
        final int slot = (int)(queryId & mask);
        if (0 != queryIds[slot])
        {
            return 0;
        }
        nextQueryId++;
        if (null == requests[slot])
        {
            requests[slot] = new ExpandableArrayBuffer(Math.max(256, length));
        }
        requests[slot].putBytes(0, message, offset, length);
        lengths[slot] = length;
        queryIds[slot] = queryId;
        deadlinesNs[slot] = deadlineNs;
        inFlight++;
        return queryId;
    }

    /**
     * @return the slot of a waiting read with this query id, or -1 if it was answered, timed out or never existed.
     */
    int slotOf(final long queryId)
    {
        if (queryId <= 0)
        {
            return -1;
        }
        final int slot = (int)(queryId & mask);
        return queryIds[slot] == queryId ? slot : -1;
    }

    DirectBuffer request(final int slot)
    {
        return requests[slot];
    }

    int requestLength(final int slot)
    {
        return lengths[slot];
    }

    /**
     * Frees a slot once its read has been answered.
     */
    void release(final int slot)
    {
        if (0 != queryIds[slot])
        {
            queryIds[slot] = 0;
            inFlight--;
        }
    }

    /**
     * @return the slot of a read whose deadline has passed, or -1; the caller answers it and releases the slot.
     */
    int nextExpired(final long nowNs)
    {
        if (0 == inFlight)
        {
            return -1;
        }
        for (int slot = 0; slot <= mask; slot++)
        {
            if (0 != queryIds[slot] && nowNs - deadlinesNs[slot] >= 0)
            {
                return slot;
            }
        }
        return -1;
    }

    /**
     * @return the slot of any waiting read, or -1; used to refuse them all when the configuration changes.
     */
    int anyWaiting()
    {
        if (0 == inFlight)
        {
            return -1;
        }
        for (int slot = 0; slot <= mask; slot++)
        {
            if (0 != queryIds[slot])
            {
                return slot;
            }
        }
        return -1;
    }

    int inFlight()
    {
        return inFlight;
    }
}
