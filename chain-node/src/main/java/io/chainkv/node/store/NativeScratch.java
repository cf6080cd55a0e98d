package io.chainkv.node.store;

import net.openhft.chronicle.bytes.BytesStore;
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

    BytesStore<?, ?> bytesStore()
    {
        return bytesStore;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    public void close()
    {
        if (owned)
        {
            bytesStore.releaseLast();
        }
    }
}
