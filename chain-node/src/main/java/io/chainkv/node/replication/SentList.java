package io.chainkv.node.replication;

import org.agrona.BitUtil;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The updates a node has applied and passed on (or is about to pass on) that the tail has not yet
 * acknowledged, in sequence order, as the encoded messages that were sent.
 * <p>
 * This is what a node resends when its successor changes or reports a gap (docs/design.md, invariant 4). Records
 * live in one growable off-heap buffer: appended at the end, trimmed from the front as acks arrive, and
 * compacted when the trimmed space dominates. A send cursor marks the first record not yet offered
 * downstream, so back pressure simply leaves the cursor where it is.
 * <p>
 * Record layout: {@code [messageLength int][pad int][seq long][message bytes]}, 8-byte aligned.
 * Used by the replication agent's thread only.
 */
public final class SentList
{
    private static final int LENGTH_OFFSET = 0;
    private static final int SEQ_OFFSET = 8;
    static final int RECORD_HEADER_LENGTH = 16;

    private final ExpandableDirectByteBuffer buffer;
    private final long maxBytes;
    private int start;
    private int end;
    private int sendCursor;
    private int count;
    private long lastSeq;
    private long trimmedThroughSeq;

    /**
     * @param initialCapacity bytes to start with.
     * @param maxBytes        bytes held beyond which {@link #isFull()} says to stop taking new writes.
     */
    public SentList(final int initialCapacity, final long maxBytes)
    {
        this.buffer = new ExpandableDirectByteBuffer(initialCapacity);
        this.maxBytes = maxBytes;
    }

    /**
     * Makes room for a message of at most {@code maxLength} bytes and returns where to encode it. Finish
     * with {@link #commitAppend(long, int)}; an append that is not committed is simply overwritten next time.
     *
     * @param maxLength upper bound of the message length.
     * @return offset in {@link #buffer()} at which to encode the message.
     */
    public int beginAppend(final int maxLength)
    {
        compactIfWorthwhile();
        buffer.checkLimit(end + RECORD_HEADER_LENGTH + maxLength);
        return end + RECORD_HEADER_LENGTH;
    }

    /**
     * Completes the append begun by {@link #beginAppend(int)}.
     *
     * @param seq    sequence number of the update; greater than any held.
     * @param length actual length of the encoded message.
     */
    public void commitAppend(final long seq, final int length)
    {
        if (seq <= lastSeq)
        {
            throw new IllegalStateException("seq " + seq + " is not above the last held seq " + lastSeq);
        }
        buffer.putInt(end + LENGTH_OFFSET, length);
        buffer.putLong(end + SEQ_OFFSET, seq);
        end += BitUtil.align(RECORD_HEADER_LENGTH + length, 8);
        lastSeq = seq;
        count++;
    }

    /**
     * Copies an already-encoded message in (a middle node keeps what it received).
     *
     * @param seq    sequence number of the update.
     * @param source buffer holding the message.
     * @param offset of the message.
     * @param length of the message.
     */
    public void append(final long seq, final org.agrona.DirectBuffer source, final int offset, final int length)
    {
        final int at = beginAppend(length);
        buffer.putBytes(at, source, offset, length);
        commitAppend(seq, length);
    }

    /**
     * Drops every update the tail has acknowledged.
     *
     * @param committedSeq every update with a seq up to this one is committed.
     * @return how many records were dropped.
     */
    public int trimTo(final long committedSeq)
    {
        return trimTo(committedSeq, null);
    }

    /**
     * Like {@link #trimTo(long)}, showing each record to the visitor, oldest first, before it is dropped (a CRAQ
     * member learns which versions became clean).
     *
     * @param committedSeq every update with a seq up to this one is committed.
     * @param visitor      receives each dropped record, or null.
     * @return how many records were dropped.
     */
    public int trimTo(final long committedSeq, final RecordVisitor visitor)
    {
        int dropped = 0;
        while (start < end && buffer.getLong(start + SEQ_OFFSET) <= committedSeq)
        {
            final int length = buffer.getInt(start + LENGTH_OFFSET);
            if (null != visitor)
            {
                visitor.onRecord(buffer.getLong(start + SEQ_OFFSET), start + RECORD_HEADER_LENGTH, length);
            }
            final int next = start + BitUtil.align(RECORD_HEADER_LENGTH + length, 8);
            if (sendCursor == start)
            {
                sendCursor = next;
            }
            trimmedThroughSeq = buffer.getLong(start + SEQ_OFFSET);
            start = next;
            count--;
            dropped++;
        }
        if (start == end)
        {
            start = 0;
            end = 0;
            sendCursor = 0;
        }
        return dropped;
    }

    /**
     * Moves the send cursor so the next record offered is the first one after {@code seq}; used when the
     * successor reports its last applied seq.
     *
     * @param seq the successor's last applied seq.
     * @return true if every update after {@code seq} is still held; false if some were already trimmed,
     * in which case the cursor is at the first record held.
     */
    public boolean rewindToAfter(final long seq)
    {
        sendCursor = start;
        while (sendCursor < end && buffer.getLong(sendCursor + SEQ_OFFSET) <= seq)
        {
            sendCursor = nextRecord(sendCursor);
        }
        return seq >= trimmedThroughSeq;
    }

    /**
     * Empties the list and records that everything up to {@code seq} is already accounted for, as at start
     * or when a node takes a new place in the chain.
     *
     * @param seq the node's last applied seq.
     */
    public void reset(final long seq)
    {
        start = 0;
        end = 0;
        sendCursor = 0;
        count = 0;
        lastSeq = seq;
        trimmedThroughSeq = seq;
    }

    /**
     * @return true when there is a record that has not been offered downstream yet.
     */
    public boolean hasUnsent()
    {
        return sendCursor < end;
    }

    /**
     * @return offset of the message of the next record to offer (valid when {@link #hasUnsent()}).
     */
    public int unsentMessageOffset()
    {
        return sendCursor + RECORD_HEADER_LENGTH;
    }

    /**
     * @return length of the message of the next record to offer.
     */
    public int unsentMessageLength()
    {
        return buffer.getInt(sendCursor + LENGTH_OFFSET);
    }

    /**
     * @return seq of the next record to offer.
     */
    public long unsentSeq()
    {
        return buffer.getLong(sendCursor + SEQ_OFFSET);
    }

    /**
     * Marks the next record as offered.
     */
    public void advanceSendCursor()
    {
        sendCursor = nextRecord(sendCursor);
    }

    /**
     * @return the buffer records live in; offsets from this class index into it.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return records held.
     */
    public int size()
    {
        return count;
    }

    /**
     * @return bytes held by records.
     */
    public long bytes()
    {
        return end - start;
    }

    /**
     * @return true when the list holds more than its byte budget and the head should stop taking writes
     * until acks trim it.
     */
    public boolean isFull()
    {
        return end - start >= maxBytes;
    }

    /**
     * @return seq of the oldest record held, or 0 when empty.
     */
    public long firstSeq()
    {
        return count > 0 ? buffer.getLong(start + SEQ_OFFSET) : 0;
    }

    /**
     * @return seq of the newest record ever appended.
     */
    public long lastSeq()
    {
        return lastSeq;
    }

    /**
     * Calls the visitor for each record held, oldest first (used when a new tail answers the clients of
     * the updates in flight).
     *
     * @param visitor receives seq and the message's offset and length in {@link #buffer()}.
     */
    public void forEach(final RecordVisitor visitor)
    {
        for (int at = start; at < end; at = nextRecord(at))
        {
            visitor.onRecord(buffer.getLong(at + SEQ_OFFSET), at + RECORD_HEADER_LENGTH, buffer.getInt(at + LENGTH_OFFSET));
        }
    }

    /**
     * @param seq of an update.
     * @return the offset of its message in {@link #buffer()}, or -1 if it is not held; a scan, for the rare reads
     * that need a dirty version's value.
     */
    public int messageOffsetOf(final long seq)
    {
        for (int at = start; at < end; at = nextRecord(at))
        {
            final long recordSeq = buffer.getLong(at + SEQ_OFFSET);
            if (recordSeq == seq)
            {
                return at + RECORD_HEADER_LENGTH;
            }
            if (recordSeq > seq)
            {
                break;
            }
        }
        return -1;
    }

    /**
     * Receives the records of a {@link SentList}.
     */
    @FunctionalInterface
    public interface RecordVisitor
    {
        /**
         * @param seq           of the update.
         * @param messageOffset offset of the encoded message in the list's buffer.
         * @param messageLength length of the encoded message.
         */
        void onRecord(long seq, int messageOffset, int messageLength);
    }

    private int nextRecord(final int at)
    {
        return at + BitUtil.align(RECORD_HEADER_LENGTH + buffer.getInt(at + LENGTH_OFFSET), 8);
    }

    private void compactIfWorthwhile()
    {
        if (start > 0 && start >= end - start && start >= 64 * 1024)
        {
            final int length = end - start;
            buffer.putBytes(0, buffer, start, length);
            sendCursor -= start;
            end = length;
            start = 0;
        }
    }
}
