package io.chainkv.node.store;

import org.agrona.DirectBuffer;

/**
 * Receives every entry of a {@link ChainStore} in {@link ChainStore#forEach(EntryVisitor)}, e.g. to stream a
 * snapshot to a joining node.
 */
@FunctionalInterface
public interface EntryVisitor
{
    /**
     * The buffers are views of the store's memory, valid only during the call: copy what must outlive it. The visitor
     * must not write to the store.
     *
     * @param key         the key, from index 0.
     * @param keyLength   length of the key.
     * @param version     version of the write that stored the entry.
     * @param tombstone   true if the entry records a delete (then valueLength is 0).
     * @param value       the value, from index 0.
     * @param valueLength length of the value.
     */
    void onEntry(DirectBuffer key, int keyLength, long version, boolean tombstone, DirectBuffer value, int valueLength);
}
