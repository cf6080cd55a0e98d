package io.chainkv.node.store;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.core.io.SingleThreadedChecked;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One block of native memory seen two ways: as a Chronicle {@link BytesStore}, which the maps accept as key or
 * value bytes without copying or allocating, and as an Agrona {@link UnsafeBuffer}, which the rest of the node
 * speaks. Filling the Agrona view is how a caller's key or value reaches Chronicle Map without a {@code byte[]}.
 */
final class NativeScratch implements AutoCloseable
{
    private final BytesStore<?, ?> bytesStore;
    private final UnsafeBuffer buffer;
    private final boolean owned;
    private final PrefixData prefixData = new PrefixData();
    private final UnsafeBuffer peer = new UnsafeBuffer(0, 0);

    private NativeScratch(final BytesStore<?, ?> bytesStore, final long address, final int capacity, final boolean owned)
    {
        this.bytesStore = bytesStore;
        this.owned = owned;
        // The store is opened on one thread and driven by the agent thread; Chronicle's owner-thread check would
        // otherwise reject the hand-over although accesses are never concurrent.
        if (bytesStore instanceof SingleThreadedChecked)
        {
            ((SingleThreadedChecked)bytesStore).singleThreadedCheckDisabled(true);
        }
        this.buffer = new UnsafeBuffer(address, capacity);
    }

    /**
     * @param capacity bytes of native memory to allocate; freed by {@link #close()}.
     */
    static NativeScratch allocate(final int capacity)
    {
        final int actual = Math.max(capacity, 8);
        final BytesStore<?, Void> store = BytesStore.nativeStoreWithFixedCapacity(actual);
        return new NativeScratch(store, store.addressForWrite(0), actual, true);
    }

    /**
     * @param address  start of memory owned by someone else (e.g. a mapped file), which must outlive this view.
     * @param capacity bytes from the address.
     */
    static NativeScratch wrap(final long address, final int capacity)
    {
        return new NativeScratch(BytesStore.wrap(address, capacity), address, capacity, false);
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * The first {@code length} bytes as Chronicle {@link Data}, for {@code queryContext(Data)} and
     * {@code replaceValue/insert}. Chronicle's own {@code queryContext(BytesStore, offset, size)} and
     * {@code wrapValueBytesAsData} re-point a reference-counted {@code VanillaBytes} at the store on every query,
     * which profiled at 15-20% of a node's replication thread; this view is set by two plain stores.
     * One view per scratch: the returned object is reused by the next call.
     */
    Data<byte[]> data(final int length)
    {
        prefixData.size = length;
        return prefixData;
    }

    public void close()
    {
        if (owned)
        {
            bytesStore.releaseLast();
        }
    }

    /** The scratch's first {@code size} bytes as Chronicle {@link Data}; see {@link #data(int)}. */
    private final class PrefixData implements Data<byte[]>
    {
        private int size;

        public RandomDataInput bytes()
        {
            return bytesStore;
        }

        public long offset()
        {
            return 0;
        }

        public long size()
        {
            return size;
        }

        /**
         * Hashes the native bytes directly; the default reads them one by one through a checked
         * {@code RandomDataInput} access. Same bytes, same hash: existing stores stay readable.
         */
        public long hash(final LongHashFunction f)
        {
            return f.hashMemory(buffer.addressOffset(), size);
        }

        /** Compares with the stored key in place: the default goes through two checked {@code RandomDataInput}s. */
        public boolean equivalent(final RandomDataInput source, final long sourceOffset)
        {
            if (!source.isDirectMemory())
            {
                return Data.super.equivalent(source, sourceOffset);
            }
            peer.wrap(source.addressForRead(sourceOffset), size);
            int i = 0;
            for (; i <= size - Long.BYTES; i += Long.BYTES)
            {
                if (peer.getLong(i) != buffer.getLong(i))
                {
                    return false;
                }
            }
            for (; i < size; i++)
            {
                if (peer.getByte(i) != buffer.getByte(i))
                {
                    return false;
                }
            }
            return true;
        }

        public byte[] get()
        {
            final byte[] copy = new byte[size];
            buffer.getBytes(0, copy);
            return copy;
        }

        public byte[] getUsing(final byte[] using)
        {
            if (null != using && using.length == size)
            {
                buffer.getBytes(0, using);
                return using;
            }
            return get();
        }
    }
}
