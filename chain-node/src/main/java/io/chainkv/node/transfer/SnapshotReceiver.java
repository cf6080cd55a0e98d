package io.chainkv.node.transfer;

import io.chainkv.node.membership.DutyCycleHeartbeat;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.ClientTable;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.protocol.codecs.JoinRequestEncoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.TransferBatchDecoder;
import io.chainkv.protocol.codecs.TransferBeginDecoder;
import io.chainkv.protocol.codecs.TransferClientsDecoder;
import io.chainkv.protocol.codecs.TransferEndDecoder;
import io.chainkv.protocol.codecs.UpdateKind;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The joiner's side of a state transfer: prepares the store for it, asks the tail for it, and applies what the
 * tail streams. Used by the data path's thread, which also applies the live updates that follow the begin message.
 * <p>
 * <b>Rejoin.</b> A node that held data before keeps every entry up to its last committed seq, which the chain has
 * (or has newer versions of). Entries above it may never have been committed (docs/design.md, invariant 8: nothing
 * unacknowledged is resurrected), so before asking, the joiner removes them and names their keys in its request;
 * the tail sends its own entry for each, and everything of a version above the committed seq. A node with more
 * suspect entries than a request can name, or none of the history the tail still keeps tombstones for, takes a
 * full transfer instead and empties its store first.
 * <p>
 * <b>Convergence.</b> Entries and live updates are applied with "a newer version wins" (the store's rule), so the
 * order in which the fuzzy snapshot and the live stream reach a key does not matter. Once the end message has
 * arrived and the live stream has reached the seq it names, the store equals the tail's committed state at the
 * joiner's last applied seq: the joiner has caught up.
 * <p>
 * <b>Tombstone horizon.</b> The tail's store lacks the tombstones it collected, and so, after a transfer, does the
 * joiner's. The end message names the tail's horizon (the highest it had during the walk); the joiner raises its own
 * to it, persisted, before the live stream can make it caught up. Without that a full transfer left the joiner at
 * horizon 0, and it later gave a delta to a node older than the deletes it no longer held: that node kept the deleted
 * values and served them once promoted. An end from a version 1 tail names no horizon; the joiner then takes the end
 * seq, above any horizon the tail can have had (a horizon is a committed seq), which costs at most a full transfer.
 * <p>
 * <b>A store too small.</b> The store's limits are fixed when it is created and may be below the chain's data (a
 * node started with a smaller {@code max-entries} or {@code max-data-bytes} than the members). Every entry and live
 * update is checked against them before it is applied ({@link #hasRoomFor}); the first that does not fit stops
 * the transfer for the life of the process ({@link State#NO_ROOM}): one ERROR says what the store holds and which
 * setting to raise, the counter {@code transfers stopped, store too small} is set, and the joiner neither applies,
 * acks nor asks for anything more. Without the check the store would throw on the data path's thread, the update
 * would stay unapplied, and the joiner would ask for it again forever without saying why.
 */
public final class SnapshotReceiver
{
    /** The most suspect keys a rejoining node names; beyond it a full transfer is cheaper than the bookkeeping. */
    public static final int MAX_SUSPECT_KEYS = 4096;

    /** The most bytes of suspect keys (with their length prefixes) a join request carries. */
    public static final int MAX_SUSPECT_KEY_BYTES = 256 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiver.class);
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int BEATS_EVERY_ENTRIES = 4096;

    /**
     * Where a transfer attempt is.
     */
    public enum State
    {
        /** Not joining. */
        IDLE,
        /** Join request sent, begin message awaited. */
        REQUESTING,
        /** Receiving entries and live updates. */
        STREAMING,
        /** Every entry has arrived; the live stream has still to reach the end seq. */
        ENDED,
        /** The store holds the tail's committed state at the last applied seq; live updates keep it so. */
        CAUGHT_UP,
        /**
         * The store cannot hold the chain's data: the transfer stopped and this process asks for none again (its
         * limits cannot change while it runs). It stays out of the chain, serving nothing.
         */
        NO_ROOM
    }

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final JoinRequestEncoder joinRequestEncoder = new JoinRequestEncoder();
    private final ExpandableDirectByteBuffer suspectKeys = new ExpandableDirectByteBuffer(1024);
    private final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
    private final DutyCycleHeartbeat heartbeat;
    private final String nodeId;
    private final ChainStore store;
    private final ClientTable clients;
    private final TransferCounters counters;

    private boolean prepared;
    private boolean forceFull;
    private int suspectKeysLength;
    private int suspectKeyCount;
    private State state = State.IDLE;
    private long transferId;
    private long startSeq;
    private long endSeq;
    private boolean full;
    private long entriesReceived;
    private long attemptStartNs;
    private long walked;

    /**
     * @param nodeId    this node, for logs.
     * @param store     this node's store.
     * @param counters  where transfers are counted.
     * @param heartbeat the agent's heartbeat, beaten while the first walk of the store goes on.
     */
    public SnapshotReceiver(
        final String nodeId, final ChainStore store, final TransferCounters counters, final DutyCycleHeartbeat heartbeat)
    {
        this.heartbeat = heartbeat;
        this.nodeId = nodeId;
        this.store = store;
        this.clients = store.clients();
        this.counters = counters;
    }

    /**
     * Once per process, before the first request: drops the entries above the last committed seq and remembers
     * their keys, or decides on a full transfer when there are too many. Walks the whole store; the node serves
     * nothing while it joins, so the pause harms no one.
     */
    public void prepareOnce()
    {
        if (prepared)
        {
            return;
        }
        prepared = true;
        final long committed = store.lastCommittedSeq();
        suspectKeysLength = 0;
        suspectKeyCount = 0;
        forceFull = false;
        store.forEach((key, keyLength, version, tombstone, value, valueLength) ->
        {
            // A walk of a large store can outlast the lease; it makes progress, so the node is not stalled
            // (docs/failures.md, "The replication thread dies or is stuck").
            if (0 == (++walked & (BEATS_EVERY_ENTRIES - 1)))
            {
                heartbeat.beat(System.nanoTime());
            }
            if (version > committed && !forceFull)
            {
                if (suspectKeyCount >= MAX_SUSPECT_KEYS || suspectKeysLength + 4 + keyLength > MAX_SUSPECT_KEY_BYTES)
                {
                    forceFull = true;
                    return;
                }
                suspectKeys.putInt(suspectKeysLength, keyLength, ORDER);
                suspectKeys.putBytes(suspectKeysLength + 4, key, 0, keyLength);
                suspectKeysLength += 4 + keyLength;
                suspectKeyCount++;
            }
        });

        if (forceFull)
        {
            LOG.info("node={} holds more than {} entries above its last committed seq {}; it will take a full transfer",
                nodeId, MAX_SUSPECT_KEYS, committed);
            suspectKeysLength = 0;
            suspectKeyCount = 0;
            return;
        }
        for (int at = 0; at < suspectKeysLength; )
        {
            final int keyLength = suspectKeys.getInt(at, ORDER);
            keyView.wrap(suspectKeys, at + 4, keyLength);
            store.remove(keyView, 0, keyLength);
            at += 4 + keyLength;
        }
        counters.suspectKeysDropped.getAndAddRelease(suspectKeyCount);
        if (suspectKeyCount > 0 || committed > 0)
        {
            LOG.info("node={} rejoins from committed seq {}: dropped {} entries above it that may never have been " +
                "committed; they are fetched again from the tail", nodeId, committed, suspectKeyCount);
        }
    }

    /**
     * Starts a new attempt (a new transfer id): on becoming the joiner, on every new epoch while joining, and when an
     * attempt stalls.
     *
     * @param nowNs the current time.
     */
    public void newAttempt(final long nowNs)
    {
        if (State.NO_ROOM == state)
        {
            // Asking again would fill the store again and fail again at the same point; the ERROR said what to do.
            LOG.info("node={} asks for no transfer: its store is too small for the chain's data (see the ERROR " +
                "logged when the transfer stopped)", nodeId);
            return;
        }
        transferId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        state = State.REQUESTING;
        endSeq = Long.MAX_VALUE;
        entriesReceived = 0;
        attemptStartNs = nowNs;
    }

    /**
     * Forgets the attempt: this node is no longer the joiner (it became a member, or was dropped).
     */
    public void stop()
    {
        if (State.NO_ROOM != state)
        {
            state = State.IDLE;
        }
    }

    public State state()
    {
        return state;
    }

    public long transferId()
    {
        return transferId;
    }

    /**
     * @return true once the begin message of the current attempt arrived: live updates may be applied.
     */
    public boolean acceptsUpdates()
    {
        return State.STREAMING == state || State.ENDED == state || State.CAUGHT_UP == state;
    }

    public boolean isCaughtUp()
    {
        return State.CAUGHT_UP == state;
    }

    /**
     * @return when the current attempt started, to give up on one that stalls.
     */
    public long attemptStartNs()
    {
        return attemptStartNs;
    }

    /**
     * Encodes the join request of the current attempt.
     *
     * @return its length.
     */
    public int encodeJoinRequest(
        final MutableDirectBuffer buffer, final long clusterId, final int chainId, final long epoch)
    {
        final long sinceSeq = forceFull ? 0 : store.lastCommittedSeq();
        joinRequestEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(clusterId)
            .chainId(chainId)
            .epoch(epoch)
            .transferId(transferId)
            .sinceSeq(sinceSeq)
            .putSuspectKeys(suspectKeys, 0, forceFull ? 0 : suspectKeysLength);
        counters.joinRequestsSent.incrementRelease();
        return MessageHeaderEncoder.ENCODED_LENGTH + joinRequestEncoder.encodedLength();
    }

    /**
     * @return the seq the live stream starts after, or -1 if the message is not for the current attempt.
     */
    public long onBegin(final TransferBeginDecoder begin)
    {
        if (State.REQUESTING != state || begin.transferId() != transferId)
        {
            return -1;
        }
        full = 1 == begin.full();
        if (full)
        {
            store.clear();
            forceFull = true;
            suspectKeysLength = 0;
            counters.fullTransfersReceived.incrementRelease();
        }
        else
        {
            // Every transfer brings the tail's whole exactly-once table; sessions the chain ended while this node was
            // away must not survive here (docs/design.md, invariant 11).
            store.clients().clear();
            counters.deltaTransfersReceived.incrementRelease();
        }
        startSeq = begin.startSeq();
        state = State.STREAMING;
        LOG.info("node={} epoch={} receiving a {} transfer from the tail (since seq {}, live updates after seq {})",
            nodeId, begin.epoch(), full ? "full" : "delta", begin.sinceSeq(), startSeq);
        return startSeq;
    }

    /**
     * Applies a batch of entries of the current attempt.
     */
    public void onBatch(final TransferBatchDecoder batch, final int length)
    {
        if (!acceptsUpdates() || batch.transferId() != transferId)
        {
            return;
        }
        int count = 0;
        for (final TransferBatchDecoder.EntriesDecoder entry : batch.entries())
        {
            final long version = entry.version();
            final boolean tombstone = 0 != entry.tombstone();
            final int keyLength = entry.keyLength();
            final int keyOffset = batch.limit() + TransferBatchDecoder.EntriesDecoder.keyHeaderLength();
            final DirectBuffer buffer = batch.buffer();
            entry.skipKey();
            final int valueLength = entry.valueLength();
            final int valueOffset = batch.limit() + TransferBatchDecoder.EntriesDecoder.valueHeaderLength();
            entry.skipValue();
            if (!hasRoomFor(buffer, keyOffset, keyLength, tombstone ? 0 : valueLength, version, false))
            {
                break;
            }
            if (tombstone)
            {
                store.delete(buffer, keyOffset, keyLength, version);
            }
            else
            {
                store.put(buffer, keyOffset, keyLength, version, buffer, valueOffset, valueLength);
            }
            count++;
            entriesReceived++;
        }
        counters.entriesReceived.getAndAddRelease(count);
        counters.bytesReceived.getAndAddRelease(length);
    }

    /**
     * Checks a live update the joiner is about to apply (forwarded by the tail after the begin message) against the
     * store's limits; when it does not fit, stops the transfer for good (see {@link #hasRoomFor}).
     *
     * @param kind        the update's kind: only PUT and DELETE change the store.
     * @param buffer      holds the update's key.
     * @param keyOffset   where its key starts.
     * @param keyLength   its key's length.
     * @param valueLength its value's length (0 for a delete).
     * @param seq         its seq, the version it is stored with.
     * @return true to apply it; false to drop it (the receiver is then in {@link State#NO_ROOM}).
     */
    public boolean hasRoomForUpdate(
        final UpdateKind kind,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength,
        final int valueLength,
        final long seq)
    {
        if (UpdateKind.PUT != kind && UpdateKind.DELETE != kind)
        {
            return State.NO_ROOM != state;
        }
        return hasRoomFor(buffer, keyOffset, keyLength, UpdateKind.DELETE == kind ? 0 : valueLength, seq, true);
    }

    /**
     * Whether the store has room for an entry about to be applied. The first time it has not, the transfer stops for
     * the life of the process: one ERROR with the store's use and limits and what to do, the counter set, and
     * {@link State#NO_ROOM}, in which nothing more is applied, acked or asked for.
     */
    private boolean hasRoomFor(
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength,
        final int valueLength,
        final long version,
        final boolean liveUpdate)
    {
        if (State.NO_ROOM == state)
        {
            return false;
        }
        if (store.hasRoomFor(buffer, keyOffset, keyLength, valueLength, version))
        {
            return true;
        }
        state = State.NO_ROOM;
        counters.transfersStoppedNoRoom.setRelease(1);
        LOG.error("node={} cannot hold the chain's data and stops its {} transfer: {}. It asks for no transfer again " +
            "and serves nothing (a joiner that never catches up). Restart it with an empty data directory and store " +
            "limits at least the chain members' (the limits are fixed when a store is created; chainctl status " +
            "shows each member's use and capacity), or take it out with 'chainctl drain {}' so the master gives the " +
            "joiner place to another spare", nodeId, full ? "full" : "delta",
            shortfall(liveUpdate ? "live update seq " + version : "snapshot entry of version " + version, keyLength,
                valueLength), nodeId);
        return false;
    }

    private String shortfall(final String what, final int keyLength, final int valueLength)
    {
        final StoreConfig limits = store.config();
        final StringBuilder sb = new StringBuilder(what).append(" (key ").append(keyLength).append(" B, value ")
            .append(valueLength).append(" B) does not fit in its store, which holds ").append(store.entryCount())
            .append(" of max-entries ").append(limits.maxEntries()).append(" entries and ").append(store.dataBytes())
            .append(" of max-data-bytes ").append(limits.maxDataBytes()).append(" bytes, after receiving ")
            .append(entriesReceived).append(" transfer entries; raise");
        String sep = " ";
        if (keyLength > limits.maxKeyLength())
        {
            sb.append(sep).append("max-key-bytes (").append(limits.maxKeyLength()).append(')');
            sep = ", ";
        }
        if (valueLength > limits.maxValueLength())
        {
            sb.append(sep).append("max-value-bytes (").append(limits.maxValueLength()).append(')');
            sep = ", ";
        }
        if (store.entryCount() + 1 > limits.maxEntries())
        {
            sb.append(sep).append("max-entries");
            sep = ", ";
        }
        if (store.dataBytes() + keyLength + valueLength > limits.maxDataBytes())
        {
            sb.append(sep).append("max-data-bytes");
            sep = ", ";
        }
        if (", ".equals(sep))
        {
            return sb.toString();
        }
        return sb.append(" max-entries and max-data-bytes").toString();
    }

    /**
     * Merges a batch of exactly-once slots of the current attempt.
     */
    public void onClients(final TransferClientsDecoder batch, final int length)
    {
        if (!acceptsUpdates() || batch.transferId() != transferId)
        {
            return;
        }
        for (final TransferClientsDecoder.SlotsDecoder slot : batch.slots())
        {
            clients.record(slot.clientId(), slot.requestSeq(), (byte)slot.status(), slot.version());
        }
        counters.bytesReceived.getAndAddRelease(length);
    }

    /**
     * Notes the end of the entries of the current attempt.
     */
    public void onEnd(final TransferEndDecoder end)
    {
        if (State.STREAMING != state || end.transferId() != transferId)
        {
            return;
        }
        endSeq = end.endSeq();
        final long tailHorizon = tailHorizonOf(end);
        // Before the state that lets checkCaughtUp succeed: a joiner that reports caught up already refuses a delta
        // to a node older than the tombstones it lacks.
        store.tombstoneHorizon(tailHorizon);
        state = State.ENDED;
        LOG.info("node={} epoch={} transfer entries complete: {} entries received, {} sent by the tail; tombstone " +
            "horizon {} (tail's {}); waiting for the live stream to reach seq {}", nodeId, end.epoch(), entriesReceived,
            end.entries(), store.tombstoneHorizon(), tailHorizon, endSeq);
    }

    private static long tailHorizonOf(final TransferEndDecoder end)
    {
        final long horizon = end.tombstoneHorizon();
        return TransferEndDecoder.tombstoneHorizonNullValue() == horizon ? end.endSeq() : horizon;
    }

    /**
     * @param lastApplied the last live update applied.
     * @return true exactly once per attempt: when the joiner has just caught up.
     */
    public boolean checkCaughtUp(final long lastApplied, final long nowNs)
    {
        if (State.ENDED == state && lastApplied >= endSeq)
        {
            state = State.CAUGHT_UP;
            counters.transfersCaughtUp.incrementRelease();
            LOG.info("node={} caught up with the tail at seq {} in {} ms ({} transfer, {} entries)", nodeId, lastApplied,
                (nowNs - attemptStartNs) / 1_000_000, full ? "full" : "delta", entriesReceived);
            return true;
        }
        return false;
    }
}
