package io.chainkv.node.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.chainkv.node.store.StoreTestSupport.MIB;
import static io.chainkv.node.store.StoreTestSupport.bytes;
import static io.chainkv.node.store.StoreTestSupport.delete;
import static io.chainkv.node.store.StoreTestSupport.hasRoomFor;
import static io.chainkv.node.store.StoreTestSupport.matchesPattern;
import static io.chainkv.node.store.StoreTestSupport.pattern;
import static io.chainkv.node.store.StoreTestSupport.put;
import static io.chainkv.node.store.StoreTestSupport.read;
import static io.chainkv.node.store.StoreTestSupport.smallConfig;
import static io.chainkv.node.store.StoreTestSupport.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChainStoreTest extends StoreTestSupport.StoreFixture
{
    @Test
    void readOfKeyNeverWrittenReturnsFalse()
    {
        store = ChainStore.open(smallConfig(dir));

        assertFalse(read(store, "absent", value));
        assertEquals(0, store.entryCount());
    }

    @Test
    void putThenReadReturnsValueAndVersion()
    {
        store = ChainStore.open(smallConfig(dir));

        put(store, "k", 7, "hello");

        assertTrue(read(store, "k", value));
        assertEquals(7, value.version());
        assertFalse(value.isTombstone());
        assertEquals("hello", string(value.value(), value.valueLength()));
    }

    @Test
    void keyAndValueAreTakenFromTheGivenOffsets()
    {
        store = ChainStore.open(smallConfig(dir));
        final UnsafeBuffer frame = bytes("xxKEYyyVALUEzz");

        store.put(frame, 2, 3, 1, frame, 7, 5);

        assertTrue(read(store, "KEY", value));
        assertEquals("VALUE", string(value.value(), value.valueLength()));
    }

    @Test
    void putReplacesValueAndVersion()
    {
        store = ChainStore.open(smallConfig(dir));

        put(store, "k", 1, "first");
        put(store, "k", 2, "second value");

        assertTrue(read(store, "k", value));
        assertEquals(2, value.version());
        assertEquals("second value", string(value.value(), value.valueLength()));
        assertEquals(1, store.entryCount());
        assertEquals(1 + "second value".length(), store.dataBytes());
    }

    @Test
    void checkWriteGivesTheLiveVersionOrZero()
    {
        store = ChainStore.open(smallConfig(dir));
        put(store, "live", 7, "v");
        put(store, "gone", 8, "v");
        delete(store, "gone", 9);

        final UnsafeBuffer live = bytes("live");
        final UnsafeBuffer gone = bytes("gone");
        final UnsafeBuffer never = bytes("never");
        assertEquals(7, store.checkWrite(live, 0, live.capacity(), 10));
        assertTrue(store.checkedWriteFits());
        assertEquals(0, store.checkWrite(gone, 0, gone.capacity(), 0), "a tombstone is no live version");
        assertEquals(0, store.checkWrite(never, 0, never.capacity(), 10));
    }

    @Test
    void emptyValueIsStoredAndIsNotATombstone()
    {
        store = ChainStore.open(smallConfig(dir));

        put(store, "k", 3, "");

        assertTrue(read(store, "k", value));
        assertFalse(value.isTombstone());
        assertEquals(0, value.valueLength());
    }

    @Test
    void deleteLeavesTombstoneWithVersion()
    {
        store = ChainStore.open(smallConfig(dir));
        put(store, "k", 1, "value");

        delete(store, "k", 2);

        assertTrue(read(store, "k", value));
        assertTrue(value.isTombstone());
        assertEquals(2, value.version());
        assertEquals(0, value.valueLength());
        assertEquals(1, store.entryCount());
        assertEquals(1, store.dataBytes());
    }

    @Test
    void deleteOfKeyNeverWrittenStoresTombstone()
    {
        store = ChainStore.open(smallConfig(dir));

        delete(store, "k", 5);

        assertTrue(read(store, "k", value));
        assertTrue(value.isTombstone());
        assertEquals(5, value.version());
    }

    @Test
    void dataBytesCountKeysAndValues()
    {
        store = ChainStore.open(smallConfig(dir));

        put(store, "a", 1, "12345");
        put(store, "bb", 2, "1");
        delete(store, "ccc", 3);

        assertEquals(3, store.entryCount());
        assertEquals((1 + 5) + (2 + 1) + 3, store.dataBytes());
    }

    @Test
    void reopenAfterCleanCloseKeepsDataAndSeqs()
    {
        store = ChainStore.open(smallConfig(dir));
        put(store, "k", 41, "kept");
        delete(store, "gone", 42);
        store.lastAppliedSeq(42);
        store.lastCommittedSeq(40);
        store.clients().record(9, 1, (byte)0, 41);
        final long digest = store.digest();
        final long dataBytes = store.dataBytes();
        store.close();

        store = ChainStore.open(smallConfig(dir));

        assertFalse(store.recoveredFromUncleanShutdown());
        assertEquals(42, store.lastAppliedSeq());
        assertEquals(40, store.lastCommittedSeq());
        assertEquals(2, store.entryCount());
        assertEquals(dataBytes, store.dataBytes());
        assertEquals(digest, store.digest());
        assertTrue(read(store, "k", value));
        assertEquals("kept", string(value.value(), value.valueLength()));
        assertEquals(ClientTable.DUPLICATE, store.clients().lookup(9, 1, new ClientResult()));
    }

    @Test
    void reopenWithoutCleanShutdownMarkerRecoversAndRecountsDataBytes() throws Exception
    {
        store = ChainStore.open(smallConfig(dir));
        put(store, "k", 1, "12345");
        store.close();
        store = null;
        Files.delete(dir.resolve(ChainStore.CLEAN_SHUTDOWN_FILE_NAME));

        store = ChainStore.open(smallConfig(dir));

        assertTrue(store.recoveredFromUncleanShutdown());
        assertEquals(6, store.dataBytes());
        assertTrue(read(store, "k", value));
    }

    @Test
    void writeInterruptedByAKillIsRedoneOnRecovery() throws Exception
    {
        // Lay out a write in the intent log as put() does, then "die" before applying it: close and drop the marker.
        store = ChainStore.open(smallConfig(dir));
        put(store, "k", 1, "old");
        store.close();
        store = null;
        final StoreConfig config = smallConfig(dir);
        try (IntentLog log = new IntentLog(dir.resolve(IntentLog.FILE_NAME).toFile(), config.maxKeyLength(),
            StoreGeometry.VALUE_HEADER_LENGTH + config.maxValueLength()))
        {
            log.key().buffer().putBytes(0, bytes("k"), 0, 1);
            log.storedValue().buffer().putLong(0, 2, java.nio.ByteOrder.LITTLE_ENDIAN);
            log.storedValue().buffer().putByte(8, (byte)0);
            log.storedValue().buffer().putBytes(9, bytes("new"), 0, 3);
            log.beginEntryWrite(1, 9 + 3);
            log.beginClientRecord(5, 6, (byte)0, 2);
        }
        Files.delete(dir.resolve(ChainStore.CLEAN_SHUTDOWN_FILE_NAME));

        store = ChainStore.open(config);

        assertTrue(read(store, "k", value));
        assertEquals(2, value.version());
        assertEquals("new", string(value.value(), value.valueLength()));
        assertEquals(1 + 3, store.dataBytes());
        assertEquals(ClientTable.DUPLICATE, store.clients().lookup(5, 6, new ClientResult()));
    }

    @Test
    void cleanShutdownMarkerExistsOnlyWhileClosed()
    {
        store = ChainStore.open(smallConfig(dir));
        assertFalse(Files.exists(dir.resolve(ChainStore.CLEAN_SHUTDOWN_FILE_NAME)));

        store.close();

        assertTrue(Files.exists(dir.resolve(ChainStore.CLEAN_SHUTDOWN_FILE_NAME)));
    }

    @Test
    void openWithOtherLimitsThanAtCreationIsRefusedAndNamesThem()
    {
        store = ChainStore.open(smallConfig(dir));
        store.close();
        store = null;

        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> ChainStore.open(smallConfig(dir).maxEntries(2_000)));

        assertTrue(ex.getMessage().contains("maxEntries was 1000 now 2000"), ex.getMessage());
        assertTrue(Files.exists(dir.resolve(ChainStore.CLEAN_SHUTDOWN_FILE_NAME)), "a refused open leaves it clean");
    }

    @Test
    void secondOpenOfSameDirectoryIsRefused()
    {
        store = ChainStore.open(smallConfig(dir));

        assertThrows(IllegalStateException.class, () -> other = ChainStore.open(smallConfig(dir)));
    }

    @Test
    void oneMebibyteValueRoundTrips()
    {
        store = ChainStore.open(smallConfig(dir));
        final UnsafeBuffer key = bytes("big");
        final UnsafeBuffer big = pattern(MIB, 3);

        store.put(key, 0, key.capacity(), 1, big, 0, MIB);
        store.close();
        store = ChainStore.open(smallConfig(dir));

        assertTrue(store.read(key, 0, key.capacity(), value));
        assertEquals(MIB, value.valueLength());
        assertTrue(matchesPattern(value.value(), MIB, 3));
    }

    @Test
    void keyOfMaximumLengthRoundTrips()
    {
        store = ChainStore.open(smallConfig(dir));
        final UnsafeBuffer key = pattern(store.config().maxKeyLength(), 5);

        store.put(key, 0, key.capacity(), 1, bytes("v"), 0, 1);

        assertTrue(store.read(key, 0, key.capacity(), value));
        assertEquals("v", string(value.value(), value.valueLength()));
    }

    @Test
    void putOfValueLongerThanMaximumIsRejected()
    {
        store = ChainStore.open(smallConfig(dir).maxValueLength(100).averageValueLength(50));
        final UnsafeBuffer key = bytes("k");

        assertThrows(IllegalArgumentException.class, () -> store.put(key, 0, 1, 1, pattern(101, 0), 0, 101));
        assertFalse(store.hasRoomFor(key, 0, 1, 101));
        assertEquals(0, store.entryCount());
    }

    @Test
    void storeRefusesNewKeyWhenEntryLimitReached()
    {
        store = ChainStore.open(smallConfig(dir).maxEntries(100));
        for (int i = 0; i < 100; i++)
        {
            assertTrue(hasRoomFor(store, "key-" + i, 10));
            put(store, "key-" + i, i, "value-" + i);
        }

        assertFalse(hasRoomFor(store, "one-more", 10));
        assertFalse(hasRoomFor(store, "one-more", 0), "a tombstone of a new key is an entry too");
        assertTrue(hasRoomFor(store, "key-7", 10), "replacing an existing key adds no entry");
        assertTrue(hasRoomFor(store, "key-7", 0), "deleting an existing key adds no entry");
        for (int i = 0; i < 100; i++)
        {
            assertTrue(read(store, "key-" + i, value));
            assertEquals("value-" + i, string(value.value(), value.valueLength()));
        }
    }

    @Test
    void versionedRoomCheckAdmitsWritesThatLoseToWhatTheFullStoreHolds()
    {
        store = ChainStore.open(smallConfig(dir).maxEntries(100).maxValueLength(100).averageValueLength(10));
        for (int i = 0; i < 100; i++)
        {
            final UnsafeBuffer key = bytes("key-" + i);
            assertTrue(store.hasRoomFor(key, 0, key.capacity(), 10, 50), "far from the limits: no query needed");
            put(store, "key-" + i, 50, "value-" + i);
        }
        final UnsafeBuffer held = bytes("key-7");
        final UnsafeBuffer absent = bytes("one-more");

        assertTrue(store.hasRoomFor(held, 0, held.capacity(), 100, 50), "the same version changes nothing");
        assertTrue(store.hasRoomFor(held, 0, held.capacity(), 100, 20), "an older version changes nothing");
        assertTrue(store.hasRoomFor(held, 0, held.capacity(), 100, 60), "a newer version replaces: no new entry");
        assertFalse(store.hasRoomFor(absent, 0, absent.capacity(), 10, 60), "a new key is one entry too many");
        assertFalse(store.hasRoomFor(absent, 0, absent.capacity(), 0, 60), "so is a tombstone of a new key");
        assertFalse(store.hasRoomFor(held, 0, held.capacity(), 101, 20), "a value over the maximum never fits");
    }

    @Test
    void storeRefusesWriteThatWouldExceedDataBytes()
    {
        store = ChainStore.open(smallConfig(dir).maxValueLength(1_000).averageValueLength(500).maxDataBytes(10_000));
        for (int i = 0; i < 9; i++)
        {
            put(store, "k" + i, i, new String(new char[998]).replace('\0', 'x'));
        }
        assertEquals(9 * 1_000, store.dataBytes());

        assertFalse(hasRoomFor(store, "k9", 999), "1000 + 2 + 999 bytes would pass 10000");
        assertTrue(hasRoomFor(store, "k9", 998), "exactly at the limit is admitted");
        assertTrue(hasRoomFor(store, "k0", 998), "replacing with the same size stays at the limit");
        put(store, "k9", 9, new String(new char[998]).replace('\0', 'y'));
        assertFalse(hasRoomFor(store, "k0", 999), "growing a value past the limit is refused");
        assertTrue(hasRoomFor(store, "k0", 10), "shrinking a value is admitted");
        assertTrue(read(store, "k0", value));
        assertEquals(998, value.valueLength());
    }

    @Test
    void storeFullOfLargestValuesKeepsEverythingAndStillAdmitsReplacements()
    {
        // Every value at the maximum and all keys in few segments: the worst case for chunk and tier sizing.
        store = ChainStore.open(smallConfig(dir).maxDataBytes(6L * MIB));
        final Map<String, Integer> seeds = new HashMap<>();
        int writes = 0;
        while (hasRoomFor(store, "big-" + writes, MIB))
        {
            final UnsafeBuffer key = bytes("big-" + writes);
            store.put(key, 0, key.capacity(), writes, pattern(MIB, writes), 0, MIB);
            seeds.put("big-" + writes, writes);
            writes++;
        }
        assertEquals(5, writes, "6 MiB holds five 1 MiB values with their keys");

        // Churn: replace each with other sizes the admission check allows, then back to the largest.
        final int[] sizes = {10, MIB / 2, MIB, 700_000, MIB};
        for (final int size : sizes)
        {
            for (final String key : seeds.keySet())
            {
                assertTrue(hasRoomFor(store, key, size));
                final UnsafeBuffer k = bytes(key);
                store.put(k, 0, k.capacity(), ++writes, pattern(size, writes), 0, size);
                seeds.put(key, writes);
            }
        }
        for (int i = 0; hasRoomFor(store, "small-" + i, 100); i++)
        {
            put(store, "small-" + i, ++writes, "s");
        }

        for (final Map.Entry<String, Integer> e : seeds.entrySet())
        {
            assertTrue(read(store, e.getKey(), value));
            assertEquals(MIB, value.valueLength());
            assertTrue(matchesPattern(value.value(), MIB, e.getValue()), e.getKey());
        }
    }

    @Test
    void storeOfManySmallEntriesFillsToItsEntryLimitAcrossSegments()
    {
        // Many segments, so the Poisson spread of keys over segments is exercised, not just the total.
        store = ChainStore.open(smallConfig(dir).maxEntries(20_000).maxValueLength(256).maxKeyLength(64));
        int i = 0;
        while (hasRoomFor(store, "key-" + i, 64))
        {
            final UnsafeBuffer key = bytes("key-" + i);
            store.put(key, 0, key.capacity(), i, pattern(64, i), 0, 64);
            i++;
        }
        assertEquals(20_000, i);
        assertEquals(20_000, store.entryCount());
        for (int j = 0; j < i; j += 997)
        {
            assertTrue(read(store, "key-" + j, value));
            assertTrue(matchesPattern(value.value(), 64, j));
        }
    }

    @Test
    void digestIsEqualForEqualContentsWrittenInAnyOrder()
    {
        store = ChainStore.open(smallConfig(dir.resolve("a")));
        other = ChainStore.open(smallConfig(dir.resolve("b")));

        put(store, "x", 1, "one");
        put(store, "y", 2, "two");
        delete(store, "z", 3);
        delete(other, "z", 3);
        put(other, "y", 2, "two");
        put(other, "x", 0, "old");
        put(other, "x", 1, "one");

        assertEquals(store.digest(), other.digest());
    }

    @Test
    void digestDiffersWhenAVersionDiffers()
    {
        store = ChainStore.open(smallConfig(dir.resolve("a")));
        other = ChainStore.open(smallConfig(dir.resolve("b")));

        put(store, "x", 1, "one");
        put(other, "x", 2, "one");

        assertNotEquals(store.digest(), other.digest());
    }

    @Test
    void digestDiffersBetweenTombstoneAndEmptyValue()
    {
        store = ChainStore.open(smallConfig(dir.resolve("a")));
        other = ChainStore.open(smallConfig(dir.resolve("b")));

        delete(store, "x", 1);
        put(other, "x", 1, "");

        assertNotEquals(store.digest(), other.digest());
    }

    @Test
    void forEachVisitsEveryEntryWithVersionAndTombstone()
    {
        store = ChainStore.open(smallConfig(dir));
        put(store, "a", 1, "apple");
        put(store, "b", 2, "banana");
        delete(store, "c", 3);

        final Map<String, String> seen = new HashMap<>();
        store.forEach((key, keyLength, version, tombstone, v, valueLength) ->
            seen.put(string(key, keyLength), version + (tombstone ? " deleted" : " " + string(v, valueLength))));

        assertEquals(Map.of("a", "1 apple", "b", "2 banana", "c", "3 deleted"), seen);
    }

    @Test
    void storeCanBeUsedFromAnotherThreadThanTheOneThatOpenedIt() throws Exception
    {
        store = ChainStore.open(smallConfig(dir));

        final String result = CompletableFuture.supplyAsync(() ->
        {
            put(store, "k", 1, "from agent");
            read(store, "k", value);
            return string(value.value(), value.valueLength());
        }).get(30, TimeUnit.SECONDS);

        assertEquals("from agent", result);
    }
}
