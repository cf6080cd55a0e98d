package io.chainkv.faults.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A small set of keys the clients contend on, each retired after a number of operations and replaced by a fresh
 * key (as Jepsen's independent keys): every moment sees real contention, while each key's history stays short
 * enough for the linearizability search. Thread-safe.
 */
public final class KeySpace
{
    private final int opsPerKey;
    private final AtomicLongArray generation;
    private final AtomicIntegerArray opsOnCurrent;
    private final java.util.Set<String> used = ConcurrentHashMap.newKeySet();

    /**
     * @param slots     keys in use at any time.
     * @param opsPerKey operations a key sees before it is replaced.
     */
    public KeySpace(final int slots, final int opsPerKey)
    {
        this.opsPerKey = opsPerKey;
        this.generation = new AtomicLongArray(slots);
        this.opsOnCurrent = new AtomicIntegerArray(slots);
    }

    public int slots()
    {
        return generation.length();
    }

    /**
     * @param slot which key slot.
     * @return the slot's current key, counting one operation on it; moves the slot to a fresh key when due.
     */
    public String next(final int slot)
    {
        final long gen = generation.get(slot);
        if (opsOnCurrent.incrementAndGet(slot) > opsPerKey && generation.compareAndSet(slot, gen, gen + 1))
        {
            opsOnCurrent.set(slot, 0);
        }
        final String key = "k" + slot + "-" + generation.get(slot);
        used.add(key);
        return key;
    }

    /**
     * @return every key handed out so far.
     */
    public List<String> usedKeys()
    {
        final List<String> keys = new ArrayList<>(used);
        keys.sort(null);
        return keys;
    }
}
