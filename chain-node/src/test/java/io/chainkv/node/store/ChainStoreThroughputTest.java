package io.chainkv.node.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.function.LongConsumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Not a benchmark, a report: single-thread ops/s and bytes allocated per operation of the hot path, printed to the
 * test output (target/surefire-reports/*-output.txt). Only that the work was done is asserted, as these machines are
 * too noisy for thresholds.
 */
@Tag("measurement")
class ChainStoreThroughputTest
{
    private static final int KEYS = 100_000;
    private static final int KEY_LENGTH = 16;
    private static final int VALUE_LENGTH = 100;

    @TempDir
    Path dir;

    private final UnsafeBuffer key = new UnsafeBuffer(new byte[KEY_LENGTH]);
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
    private final StoredValue read = new StoredValue();
    private final ClientResult result = new ClientResult();
    private long found;

    @Test
    void reportsOpsPerSecondAndAllocationPerOperation()
    {
        final StoreConfig config = new StoreConfig()
            .dataDir(dir)
            .maxEntries(2L * KEYS)
            .maxDataBytes(256L * StoreTestSupport.MIB)
            .averageKeyLength(KEY_LENGTH)
            .averageValueLength(VALUE_LENGTH)
            .maxClients(256);
        final long openStartNs = System.nanoTime();
        try (ChainStore store = ChainStore.open(config))
        {
            System.out.printf("open (new store, first map in this JVM or not): %d ms%n",
                (System.nanoTime() - openStartNs) / 1_000_000);
            for (int round = 0; round < 2; round++)
            {
                final String prefix = round == 0 ? "warm-up " : "";
                final long base = round * (long)KEYS;
                measure(prefix + "put (insert on round 0, update after)", i ->
                {
                    fillKey(i);
                    value.putLong(0, base + i);
                    store.put(key, 0, KEY_LENGTH, base + i, value, 0, VALUE_LENGTH);
                });
                measure(prefix + "read", i ->
                {
                    fillKey(i);
                    found += store.read(key, 0, KEY_LENGTH, read) ? 1 : 0;
                });
                measure(prefix + "hasRoomFor", i ->
                {
                    fillKey(i);
                    found += store.hasRoomFor(key, 0, KEY_LENGTH, VALUE_LENGTH) ? 1 : 0;
                });
                measure(prefix + "delete", i ->
                {
                    fillKey(i);
                    store.delete(key, 0, KEY_LENGTH, base + i);
                });
                measure(prefix + "clients.record", i -> store.clients().record(i & 255, base + i, (byte)0, base + i));
                measure(prefix + "clients.lookup", i -> found += store.clients().lookup(i & 255, base + i, result));
                measure(prefix + "lastAppliedSeq(seq)", store::lastAppliedSeq);
            }
            assertTrue(found > 0);
            final long digestStartNs = System.nanoTime();
            store.digest();
            System.out.printf("digest of %d entries: %d ms%n", store.entryCount(),
                (System.nanoTime() - digestStartNs) / 1_000_000);
        }
        final long reopenStartNs = System.nanoTime();
        try (ChainStore store = ChainStore.open(config))
        {
            System.out.printf("reopen after clean close (%d entries): %d ms%n", store.entryCount(),
                (System.nanoTime() - reopenStartNs) / 1_000_000);
        }
    }

    private void fillKey(final long i)
    {
        key.putLong(0, i);
        key.putLong(8, i * 0x9E37_79B9_7F4A_7C15L);
    }

    private static void measure(final String name, final LongConsumer operation)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        final long allocatedBefore = threads.getThreadAllocatedBytes(threadId);
        final long startNs = System.nanoTime();
        for (long i = 0; i < KEYS; i++)
        {
            operation.accept(i);
        }
        final long elapsedNs = System.nanoTime() - startNs;
        final long allocated = threads.getThreadAllocatedBytes(threadId) - allocatedBefore;
        System.out.printf("%-45s %,10.0f ops/s  %6.2f bytes allocated/op%n",
            name, KEYS * 1e9 / elapsedNs, (double)allocated / KEYS);
    }
}
