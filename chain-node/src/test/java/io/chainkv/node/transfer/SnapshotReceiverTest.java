package io.chainkv.node.transfer;

import io.chainkv.node.membership.DutyCycleHeartbeat;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.protocol.codecs.MessageHeaderDecoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.TransferBatchDecoder;
import io.chainkv.protocol.codecs.TransferBatchEncoder;
import io.chainkv.protocol.codecs.TransferBeginDecoder;
import io.chainkv.protocol.codecs.TransferBeginEncoder;
import io.chainkv.protocol.codecs.TransferClientsDecoder;
import io.chainkv.protocol.codecs.TransferClientsEncoder;
import io.chainkv.protocol.codecs.TransferEndDecoder;
import io.chainkv.protocol.codecs.TransferEndEncoder;
import io.chainkv.protocol.codecs.UpdateKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A joiner whose store is smaller than the chain's data: the entry or live update that does not fit is not applied,
 * the transfer stops for good (no new attempt, no more updates), and the counter shows it; entries that change
 * nothing (an older version than the store holds) are no reason to stop. And the tail's tombstone horizon, carried by
 * the end message, becomes the joiner's (the higher of the two) before the joiner can catch up.
 */
class SnapshotReceiverTest
{
    private static final int MAX_ENTRIES = 10;
    private static final long CLUSTER_ID = 7;

    @TempDir
    Path dir;

    private final Map<String, AtomicCounter> counterByName = new HashMap<>();
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocate(64 * 1024));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private ChainStore store;
    private TransferCounters counters;
    private SnapshotReceiver receiver;

    @BeforeEach
    void setUp()
    {
        store = ChainStore.open(new StoreConfig().dataDir(dir).maxEntries(MAX_ENTRIES).maxDataBytes(4096)
            .averageKeyLength(8).averageValueLength(16).maxValueLength(256).maxClients(4));
        final CountersManager countersManager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)));
        counters = new TransferCounters((name) ->
        {
            final AtomicCounter counter = countersManager.newCounter(name);
            counterByName.put(name, counter);
            return counter;
        });
        receiver = new SnapshotReceiver("joiner", store, counters, new DutyCycleHeartbeat(System.nanoTime()));
    }

    @AfterEach
    void tearDown()
    {
        counters.close();
        store.close();
    }

    private void begin(final boolean full)
    {
        receiver.prepareOnce();
        receiver.newAttempt(System.nanoTime());
        new TransferBeginEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .clusterId(CLUSTER_ID).chainId(0).epoch(2).transferId(receiver.transferId())
            .startSeq(100).sinceSeq(0).full((short)(full ? 1 : 0));
        assertEquals(100, receiver.onBegin(new TransferBeginDecoder().wrapAndApplyHeader(message, 0, headerDecoder)));
    }

    /**
     * A batch of entries k{first}..k{first + count - 1}, each of the given version and a 10-byte value.
     */
    private void batch(final int first, final int count, final long version)
    {
        final TransferBatchEncoder encoder = new TransferBatchEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .clusterId(CLUSTER_ID).chainId(0).epoch(2).transferId(receiver.transferId());
        final TransferBatchEncoder.EntriesEncoder entries = encoder.entriesCount(count);
        for (int i = first; i < first + count; i++)
        {
            final byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
            final byte[] value = ("value-" + (1000 + i)).getBytes(StandardCharsets.UTF_8);
            entries.next().version(version).tombstone((short)0).putKey(key, 0, key.length).putValue(value, 0, value.length);
        }
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        receiver.onBatch(new TransferBatchDecoder().wrapAndApplyHeader(message, 0, headerDecoder), length);
    }

    /**
     * The end of the current attempt at seq 100, naming the tail's tombstone horizon.
     */
    private void end(final long tailHorizon)
    {
        new TransferEndEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .clusterId(CLUSTER_ID).chainId(0).epoch(2).transferId(receiver.transferId())
            .endSeq(100).entries(0).clientSlots(0).tombstoneHorizon(tailHorizon);
        receiver.onEnd(new TransferEndDecoder().wrapAndApplyHeader(message, 0, headerDecoder));
    }

    private long stoppedCounter()
    {
        return counterByName.get("transfers stopped, store too small").get();
    }

    @Test
    void anEntryBeyondTheStoreLimitsStopsTheTransferForGood()
    {
        begin(true);

        batch(0, MAX_ENTRIES + 5, 50);

        assertEquals(MAX_ENTRIES, store.entryCount(), "what fits is applied, the rest is not");
        assertEquals(SnapshotReceiver.State.NO_ROOM, receiver.state());
        assertFalse(receiver.acceptsUpdates(), "no live update is applied or acked any more");
        assertEquals(1, stoppedCounter());
        assertEquals(1, counters.transfersStoppedNoRoom());

        final long transferId = receiver.transferId();
        receiver.newAttempt(System.nanoTime());
        assertEquals(SnapshotReceiver.State.NO_ROOM, receiver.state(), "a new epoch or a stall does not ask again");
        assertEquals(transferId, receiver.transferId());
        receiver.stop();
        assertEquals(SnapshotReceiver.State.NO_ROOM, receiver.state(), "it stays visible while the node runs");

        batch(100, 1, 60);
        assertEquals(MAX_ENTRIES, store.entryCount());
    }

    @Test
    void aLiveUpdateBeyondTheStoreLimitsIsRefusedAndStopsTheTransfer()
    {
        begin(true);
        batch(0, MAX_ENTRIES, 50);
        assertEquals(SnapshotReceiver.State.STREAMING, receiver.state());
        final UnsafeBuffer key = new UnsafeBuffer("another-key".getBytes(StandardCharsets.UTF_8));

        assertTrue(receiver.hasRoomForUpdate(UpdateKind.RESULT_ONLY, key, 0, key.capacity(), 0, 101),
            "an update that changes no entry needs no room");
        assertTrue(receiver.hasRoomForUpdate(UpdateKind.PUT, new UnsafeBuffer("k3".getBytes(StandardCharsets.UTF_8)),
            0, 2, 10, 101), "replacing a key's value of the same size fits");
        assertFalse(receiver.hasRoomForUpdate(UpdateKind.PUT, key, 0, key.capacity(), 10, 102));

        assertEquals(SnapshotReceiver.State.NO_ROOM, receiver.state());
        assertEquals(1, stoppedCounter());
        assertFalse(receiver.hasRoomForUpdate(UpdateKind.RESULT_ONLY, key, 0, key.capacity(), 0, 103));
    }

    @Test
    void anOlderVersionOfAKeyTheFullStoreHoldsIsNoReasonToStop()
    {
        begin(true);
        batch(0, MAX_ENTRIES, 80);

        // The fuzzy snapshot meets keys the live stream already brought in newer versions; those writes are no-ops.
        batch(0, MAX_ENTRIES, 40);

        assertEquals(SnapshotReceiver.State.STREAMING, receiver.state());
        assertEquals(0, stoppedCounter());
        assertEquals(MAX_ENTRIES, store.entryCount());
    }

    @Test
    void aFullTransferLeavesTheJoinerWithTheTailsTombstoneHorizonBeforeItCatchesUp()
    {
        store.tombstoneHorizon(30);
        begin(true);
        assertEquals(0, store.tombstoneHorizon(), "emptied for the full transfer");

        end(60);

        assertEquals(60, store.tombstoneHorizon(), "the entries lack what the tail collected up to its horizon");
        assertTrue(receiver.checkCaughtUp(100, System.nanoTime()));
    }

    @Test
    void aDeltaTransferEmptiesTheJoinersSessionsAndTakesTheTailsOnly()
    {
        // Session 1 ended in the chain while this node was away: it must not survive the rejoin.
        store.clients().record(1, 1, (byte)0, 10);
        store.clients().record(2, 1, (byte)0, 11);
        store.lastCommittedSeq(90);
        begin(false);
        assertEquals(0, store.clients().sessionCount(), "the transfer brings the tail's whole table");

        final TransferClientsEncoder encoder = new TransferClientsEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .clusterId(CLUSTER_ID).chainId(0).epoch(2).transferId(receiver.transferId());
        encoder.slotsCount(1).next().clientId(2).requestSeq(1).version(11).status((short)0);
        receiver.onClients(new TransferClientsDecoder().wrapAndApplyHeader(message, 0, headerDecoder),
            MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());

        assertEquals(1, store.clients().sessionCount());
        assertEquals(-1, store.clients().sessionOf(1));
        assertTrue(store.clients().sessionOf(2) >= 0);
    }

    @Test
    void aDeltaKeepsTheJoinersOwnHorizonWhenItIsTheHigher()
    {
        store.lastCommittedSeq(90);
        store.tombstoneHorizon(80);
        begin(false);

        end(50);

        assertEquals(80, store.tombstoneHorizon());
    }

    @Test
    void anEndFromAVersion1TailCountsAsAHorizonAtItsEndSeq()
    {
        begin(true);
        new TransferEndEncoder().wrapAndApplyHeader(message, 0, headerEncoder)
            .clusterId(CLUSTER_ID).chainId(0).epoch(2).transferId(receiver.transferId())
            .endSeq(100).entries(0).clientSlots(0);
        headerEncoder.wrap(message, 0).version(1).blockLength(TransferEndDecoder.tombstoneHorizonEncodingOffset());

        receiver.onEnd(new TransferEndDecoder().wrapAndApplyHeader(message, 0, headerDecoder));

        assertEquals(100, store.tombstoneHorizon(), "no horizon named: the highest the tail can have had");
    }

    @Test
    void aValueLongerThanTheStoreAdmitsStopsTheTransfer()
    {
        begin(false);
        final UnsafeBuffer key = new UnsafeBuffer("big".getBytes(StandardCharsets.UTF_8));

        assertFalse(receiver.hasRoomForUpdate(UpdateKind.PUT, key, 0, key.capacity(), 257, 101));

        assertEquals(SnapshotReceiver.State.NO_ROOM, receiver.state());
        assertEquals(0, store.entryCount());
    }
}
