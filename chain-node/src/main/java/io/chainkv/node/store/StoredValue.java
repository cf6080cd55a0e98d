package io.chainkv.node.store;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Reusable holder that {@link ChainStore#read} copies an entry into, so a read allocates nothing once the holder
 * has grown to the largest value it has seen.
 * <p>
 * The bytes are a copy: they stay valid after the read and across later writes to the store, until the holder is
 * reused.
 */
public final class StoredValue
{
    private final ExpandableArrayBuffer buffer;
    private long version;
    private boolean tombstone;
    private int valueLength;

    public StoredValue()
    {
        this(256);
    }

    /**
     * @param initialCapacity bytes to reserve up front; the holder grows when a larger value is read.
     */
    public StoredValue(final int initialCapacity)
    {
        buffer = new ExpandableArrayBuffer(initialCapacity);
    }

    /**
     * @return the version (sequence number) of the write that stored this entry.
     */
    public long version()
    {
        return version;
    }

    /**
     * @return true if the entry is a delete; then {@link #valueLength()} is 0.
     */
    public boolean isTombstone()
    {
        return tombstone;
    }

    /**
     * @return the value bytes, from index 0 to {@link #valueLength()}; the buffer may be longer.
     */
    public DirectBuffer value()
    {
        return buffer;
    }

    public int valueLength()
    {
        return valueLength;
    }

    void set(final long version, final boolean tombstone, final DirectBuffer src, final int srcIndex, final int length)
    {
        this.version = version;
        this.tombstone = tombstone;
        this.valueLength = length;
        if (length > 0)
        {
            buffer.putBytes(0, src, srcIndex, length);
        }
    }

    public String toString()
    {
        return "StoredValue{version=" + version + ", tombstone=" + tombstone + ", valueLength=" + valueLength + '}';
    }
}
