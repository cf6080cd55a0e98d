package io.chainkv.node.transfer;

import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.node.store.StoredValue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * While the tail streams a delta, collection stays at or below the joiner's seq: a tombstone above it may lie in a
 * segment the walk has not reached, and a delta joiner that misses it keeps the value the delete removed.
 */
class TombstoneCollectorTest
{
    @TempDir
    Path dir;

    private final StoredValue value = new StoredValue();
    private ChainStore store;
    private TransferCounters counters;
    private TombstoneCollector collector;

    @BeforeEach
    void setUp()
    {
        store = ChainStore.open(new StoreConfig().dataDir(dir).maxEntries(100).maxDataBytes(64 * 1024)
            .averageKeyLength(8).averageValueLength(16).maxValueLength(256).maxClients(4));
        final CountersManager countersManager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)));
        counters = new TransferCounters(countersManager::newCounter);
        // No retention: every committed tombstone may go at once, so only the limit holds any back.
        collector = new TombstoneCollector(store, counters, 0);
    }

    @AfterEach
    void tearDown()
    {
        counters.close();
        store.close();
    }

    @Test
    void aPassNeverRaisesTheHorizonAboveTheLimitADeltaSets()
    {
        delete("below", 10);
        delete("above", 30);
        long nowNs = System.nanoTime();

        runPass(nowNs, 50, 20);

        assertEquals(20, store.tombstoneHorizon());
        assertFalse(read("below"), "at or below the joiner's seq: the joiner applied it itself");
        assertTrue(read("above") && value.isTombstone(), "above the joiner's seq: the delta must still carry it");

        nowNs += TimeUnit.SECONDS.toNanos(1);
        runPass(nowNs, 50, Long.MAX_VALUE);

        assertEquals(50, store.tombstoneHorizon(), "once the delta is over, collection goes on");
        assertFalse(read("above"));
    }

    private void runPass(final long nowNs, final long committedSeq, final long horizonLimit)
    {
        for (int i = 0; i <= store.segmentCount(); i++)
        {
            collector.doWork(nowNs, committedSeq, horizonLimit);
        }
    }

    private void delete(final String key, final long version)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(key.getBytes(StandardCharsets.UTF_8));
        store.delete(buffer, 0, buffer.capacity(), version);
    }

    private boolean read(final String key)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(key.getBytes(StandardCharsets.UTF_8));
        return store.read(buffer, 0, buffer.capacity(), value);
    }
}
