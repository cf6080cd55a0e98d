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
    private final BytesStore<?, Void> bytesStore;
    private final UnsafeBuffer buffer;

    NativeScratch(final int capacity)
    {
        final int actual = Math.max(capacity, 8);
        bytesStore = BytesStore.nativeStoreWithFixedCapacity(actual);
        // The store is opened on one thread and driven by the agent thread; Chronicle's owner-thread check would
        // otherwise reject the hand-over although accesses are never concurrent.
        if (bytesStore instanceof SingleThreadedChecked)
        {
            ((SingleThreadedChecked)bytesStore).singleThreadedCheckDisabled(true);
        }
        buffer = new UnsafeBuffer(bytesStore.addressForWrite(0), actual);
    }

    BytesStore<?, Void> bytesStore()
    {
        return bytesStore;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    public void close()
    {
        bytesStore.releaseLast();
    }
}
