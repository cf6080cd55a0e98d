package io.chainkv.node.store;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static io.chainkv.node.store.StoreTestSupport.bytes;
import static io.chainkv.node.store.StoreTestSupport.delete;
import static io.chainkv.node.store.StoreTestSupport.put;
import static io.chainkv.node.store.StoreTestSupport.read;
import static io.chainkv.node.store.StoreTestSupport.smallConfig;
import static io.chainkv.node.store.StoreTestSupport.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What state transfer relies on in the store: a newer version always wins, the store can be walked a segment at
 * a time, suspect entries removed, tombstones collected below a horizon, and the store emptied.
 */
class ChainStoreConvergenceTest extends StoreTestSupport.StoreFixture
{
    @Test
    void anOlderVersionDoesNotReplaceANewerOne()
    {
        store = ChainStore.open(smallConfig(dir));
        put(store, "k", 9, "new");

        put(store, "k", 5, "old");

        assertTrue(read(store, "k", value));
        assertEquals(9, value.version());
        assertEquals("new", string(value.value(), value.valueLength()));
    }

    @Test
    void anOlderDeleteDoesNotHideANewerValue()
    {
        store = ChainStore.open(smallConfig(dir));
        put(store, "k", 9, "new");

        delete(store, "k", 4);

        assertTrue(read(store, "k", value));
        assertFalse(value.isTombstone());
    }

    @Test
    void snapshotAndStreamConvergeInEitherOrder()
    {
        store = ChainStore.open(smallConfig(dir.resolve("a")));
        other = ChainStore.open(smallConfig(dir.resolve("b")));

        put(store, "k", 3, "snapshot");
        put(store, "k", 7, "stream");
        delete(store, "gone", 8);
        put(store, "gone", 2, "snapshot");

        put(other, "k", 7, "stream");
        put(other, "k", 3, "snapshot");
        put(other, "gone", 2, "snapshot");
        delete(other, "gone", 8);

        assertEquals(store.digest(), other.digest());
    }

    @Test
    void segmentWalkVisitsEveryEntryOnce()
    {
        store = ChainStore.open(smallConfig(dir));
        for (int i = 0; i < 500; i++)
        {
            put(store, "key-" + i, i + 1, "v");
        }

        final Set<String> seen = new HashSet<>();
        int visits = 0;
        for (int segment = 0; segment < store.segmentCount(); segment++)
        {
            final int[] count = new int[1];
            store.forEachInSegment(segment, (key, keyLength, version, tombstone, v, valueLength) ->
            {
                seen.add(string(key, keyLength));
                count[0]++;
            });
            visits += count[0];
        }

        assertEquals(500, visits);
        assertEquals(500, seen.size());
    }

    @Test
    void removeLeavesNoTombstoneAndFreesTheEntry()
    {
        store = ChainStore.open(smallConfig(dir));
        put(store, "suspect", 12, "maybe never committed");

        assertTrue(store.remove(bytes("suspect"), 0, "suspect".length()));

        assertFalse(read(store, "suspect", value));
        assertEquals(0, store.entryCount());
        assertEquals(0, store.dataBytes());
    }

    @Test
    void tombstonesAtOrBelowTheHorizonAreCollectedAndTheRestKept()
    {
        store = ChainStore.open(smallConfig(dir));
        delete(store, "old", 5);
        delete(store, "edge", 10);
        delete(store, "recent", 11);
        put(store, "live", 3, "v");

        store.tombstoneHorizon(10);
        int removed = 0;
        for (int segment = 0; segment < store.segmentCount(); segment++)
        {
            removed += store.removeTombstones(segment, 10);
        }

        assertEquals(2, removed);
        assertFalse(read(store, "old", value));
        assertFalse(read(store, "edge", value));
        assertTrue(read(store, "recent", value) && value.isTombstone());
        assertTrue(read(store, "live", value));
        assertEquals(2, store.entryCount());
        assertEquals(10, store.tombstoneHorizon());
    }

    @Test
    void collectingAboveThePublishedHorizonIsRefused()
    {
        store = ChainStore.open(smallConfig(dir));
        store.tombstoneHorizon(4);

        assertThrows(IllegalStateException.class, () -> store.removeTombstones(0, 5));
    }

    @Test
    void tombstoneHorizonSurvivesReopen()
    {
        store = ChainStore.open(smallConfig(dir));
        store.tombstoneHorizon(42);
        store.close();

        store = ChainStore.open(smallConfig(dir));

        assertEquals(42, store.tombstoneHorizon());
    }

    @Test
    void clearEmptiesEntriesClientsAndSequenceNumbers()
    {
        store = ChainStore.open(smallConfig(dir));
        put(store, "k", 3, "v");
        store.clients().record(1, 1, (byte)0, 3);
        store.lastAppliedSeq(3);
        store.lastCommittedSeq(3);
        store.tombstoneHorizon(2);

        store.clear();

        assertFalse(read(store, "k", value));
        assertEquals(0, store.entryCount());
        assertEquals(0, store.clients().size());
        assertEquals(0, store.lastAppliedSeq());
        assertEquals(0, store.lastCommittedSeq());
        assertEquals(0, store.tombstoneHorizon());
    }

    @Test
    void digestLeavesTombstonesOut()
    {
        store = ChainStore.open(smallConfig(dir.resolve("a")));
        other = ChainStore.open(smallConfig(dir.resolve("b")));
        put(store, "k", 1, "v");
        put(other, "k", 1, "v");

        delete(store, "deleted", 2);

        assertEquals(store.digest(), other.digest());
    }

    @Test
    void clientTableKeepsTheNewerRequestOfASlot()
    {
        store = ChainStore.open(smallConfig(dir));
        final ClientTable clients = store.clients();
        final ClientResult result = new ClientResult();
        clients.record(7, 600, (byte)0, 60);

        clients.record(7, 600 - 512, (byte)0, 10);

        assertEquals(ClientTable.DUPLICATE, clients.lookup(7, 600, result));
        assertEquals(60, result.version());
    }
}
