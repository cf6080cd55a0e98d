package io.chainkv.node.replication;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.Arrays;

/**
 * CRAQ's version bookkeeping at a member that is not the tail: the keys whose newest version here is dirty (applied,
 * not yet acknowledged by the tail), each with its newest dirty seq and, when known, its clean version: the newest
 * committed one, kept with its value from before a dirty write replaced it in the store.
 * <p>
 * The store always holds a key's newest version, so a key absent from this table is clean here. The values of
 * dirty versions between the clean one and the newest stay in the {@link SentList} until the tail acknowledges them;
 * as acks arrive, {@link ReplicationAgent} moves each key's clean version forward and drops the key once its newest
 * dirty version is committed.
 * <p>
 * An open-addressing table with linear probing and backward-shift deletion; entries are pooled, so once warm it
 * allocates only to grow. Used by the replication agent's thread only.
 */
final class DirtyVersions
{
    private static final int MIN_CAPACITY = 1024;

    /**
     * One key with a dirty version here.
     */
    static final class DirtyKey
    {
        private final ExpandableArrayBuffer key = new ExpandableArrayBuffer(64);
        private final ExpandableArrayBuffer cleanValue = new ExpandableArrayBuffer(128);
        private int keyLength;
        private int hash;
        long newestDirtySeq;
        private boolean cleanKnown;
        private long cleanVersion;
        private boolean cleanTombstone;
        private int cleanValueLength;

        /**
         * Records the key's committed version: 0 and not a tombstone when the key has no committed write.
         */
        void clean(final long version, final boolean tombstone, final DirectBuffer value, final int offset, final int length)
        {
            cleanKnown = true;
            cleanVersion = version;
            cleanTombstone = tombstone;
            cleanValueLength = length;
            if (length > 0)
            {
                cleanValue.putBytes(0, value, offset, length);
            }
        }

        /**
         * The committed version is not known here (the store already held an uncommitted version when tracking
         * began, after a restart or a change of role); only the tail can say which version is committed.
         */
        void cleanUnknown()
        {
            cleanKnown = false;
            cleanVersion = 0;
            cleanValueLength = 0;
        }

        boolean isCleanKnown()
        {
            return cleanKnown;
        }

        long cleanVersion()
        {
            return cleanVersion;
        }

        /**
         * @return true if the clean version is a delete or the key had no committed write.
         */
        boolean isCleanAbsent()
        {
            return cleanTombstone || 0 == cleanVersion;
        }

        DirectBuffer cleanValue()
        {
            return cleanValue;
        }

        int cleanValueLength()
        {
            return cleanValueLength;
        }

        private boolean matches(final int hash, final DirectBuffer buffer, final int offset, final int length)
        {
            if (this.hash != hash || keyLength != length)
            {
                return false;
            }
            for (int i = 0; i < length; i++)
            {
                if (key.getByte(i) != buffer.getByte(offset + i))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private DirtyKey[] slots = new DirtyKey[MIN_CAPACITY];
    private DirtyKey[] pool = new DirtyKey[64];
    private int pooled;
    private int size;

    /**
     * @return the key's entry, or null if the key is clean here.
     */
    DirtyKey find(final DirectBuffer buffer, final int offset, final int length)
    {
        if (0 == size)
        {
            return null;
        }
        final int hash = hash(buffer, offset, length);
        final int mask = slots.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            final DirtyKey entry = slots[i];
            if (null == entry)
            {
                return null;
            }
            if (entry.matches(hash, buffer, offset, length))
            {
                return entry;
            }
        }
    }

    /**
     * Adds a key that {@link #find} did not return; the caller sets its clean version and newest dirty seq.
     */
    DirtyKey add(final DirectBuffer buffer, final int offset, final int length)
    {
        if ((size + 1) * 2 > slots.length)
        {
            resize(slots.length * 2);
        }
        final DirtyKey entry = 0 == pooled ? new DirtyKey() : pool[--pooled];
        entry.key.putBytes(0, buffer, offset, length);
        entry.keyLength = length;
        entry.hash = hash(buffer, offset, length);
        insert(slots, entry);
        size++;
        return entry;
    }

    /**
     * Drops a key whose newest dirty version is now committed: the store's value is the clean one.
     */
    void remove(final DirtyKey entry)
    {
        final int mask = slots.length - 1;
        int i = entry.hash & mask;
        while (slots[i] != entry)
        {
            i = (i + 1) & mask;
        }
        slots[i] = null;
        // Backward-shift: move later entries of the run into the gap so probing stays correct without tombstones.
        for (int j = (i + 1) & mask; null != slots[j]; j = (j + 1) & mask)
        {
            final int home = slots[j].hash & mask;
            if (((j - home) & mask) >= ((j - i) & mask))
            {
                slots[i] = slots[j];
                slots[j] = null;
                i = j;
            }
        }
        size--;
        release(entry);
    }

    /**
     * Forgets every key: the node became the tail (everything it holds is committed) or left the chain.
     */
    void clear()
    {
        if (0 == size)
        {
            return;
        }
        for (int i = 0; i < slots.length; i++)
        {
            if (null != slots[i])
            {
                release(slots[i]);
                slots[i] = null;
            }
        }
        size = 0;
    }

    int size()
    {
        return size;
    }

    private void release(final DirtyKey entry)
    {
        if (pooled == pool.length)
        {
            pool = Arrays.copyOf(pool, pool.length * 2);
        }
        pool[pooled++] = entry;
    }

    private void resize(final int capacity)
    {
        final DirtyKey[] newSlots = new DirtyKey[BitUtil.findNextPositivePowerOfTwo(capacity)];
        for (final DirtyKey entry : slots)
        {
            if (null != entry)
            {
                insert(newSlots, entry);
            }
        }
        slots = newSlots;
    }

    private static void insert(final DirtyKey[] table, final DirtyKey entry)
    {
        final int mask = table.length - 1;
        int i = entry.hash & mask;
        while (null != table[i])
        {
            i = (i + 1) & mask;
        }
        table[i] = entry;
    }

    private static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int h = 0x9E3779B9;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ buffer.getByte(offset + i)) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }
}
