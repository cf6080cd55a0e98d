package io.chainkv.node.transfer;

import io.aeron.Publication;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.ClientTable;
import io.chainkv.node.store.StoredValue;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.TransferBatchEncoder;
import io.chainkv.protocol.codecs.TransferBeginEncoder;
import io.chainkv.protocol.codecs.TransferClientsEncoder;
import io.chainkv.protocol.codecs.TransferEndEncoder;
import io.chainkv.transport.MessageSender;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The tail's side of a state transfer: streams the store to the chain's joiner on the replication publication the
 * live updates take, a segment of the store at a time, from the data path's duty cycle (no thread of its own).
 * <p>
 * The stream is {@code TransferBegin}, then {@code TransferBatch}es of entries (every entry for a full transfer;
 * for a delta, those of versions above the joiner's {@code sinceSeq}, plus the joiner's suspect keys whatever
 * their version), then {@code TransferClients} batches of the exactly-once table, then {@code TransferEnd}. The
 * caller sends the live updates it applies after {@code startSeq} on the same publication, after the begin
 * message ({@link #isBeginPending()}), so the joiner sees them in order behind it. The snapshot is fuzzy (entries
 * change while it is read), which the joiner repairs by keeping the newer version of every key.
 * <p>
 * <b>Tombstone horizon.</b> The walk is fuzzy for deletes too: the tail may collect tombstones while it runs. The end
 * message carries the tail's horizon as it stands when the end is sent; a horizon never falls, so that is the highest
 * it had at any point of the walk, and every tombstone the joiner did not get because it was collected is at or below
 * it. The joiner adopts it (at least), so it refuses a delta to a node older than it, as the tail would. A delta
 * cannot repair a collected tombstone that way (the joiner keeps the value the delete removed), so while a delta
 * streams the tail collects nothing above the joiner's seq ({@link #horizonLimit()}).
 * <p>
 * Flow control is the publication's: a batch that is back-pressured is offered again on the next duty cycle.
 * Used by the data path's thread only.
 */
public final class SnapshotStreamer
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int BATCH_TARGET_BYTES = 48 * 1024;
    private static final int MAX_GROUP_COUNT = 65_535;
    private static final int MESSAGES_PER_CYCLE = 16;
    // Staged entry record: keyLength, valueLength, version, tombstone, then key and value bytes.
    private static final int RECORD_HEADER = 4 + 4 + 8 + 1;
    private static final int SLOT_RECORD = 8 + 8 + 8 + 1;

    private enum Phase
    {
        IDLE, BEGIN, ENTRIES, SUSPECTS, CLIENTS, END, STREAMED
    }

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final TransferBeginEncoder beginEncoder = new TransferBeginEncoder();
    private final TransferBatchEncoder batchEncoder = new TransferBatchEncoder();
    private final TransferClientsEncoder clientsEncoder = new TransferClientsEncoder();
    private final TransferEndEncoder endEncoder = new TransferEndEncoder();
    private final ExpandableDirectByteBuffer staged = new ExpandableDirectByteBuffer(64 * 1024);
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(64 * 1024);
    private final ExpandableDirectByteBuffer suspectKeys = new ExpandableDirectByteBuffer(1024);
    private final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
    private final StoredValue storedValue = new StoredValue();
    private final ChainStore store;
    private final ClientTable clients;
    private final MessageSender sender;
    private final TransferCounters counters;

    private Phase phase = Phase.IDLE;
    private long clusterId;
    private int chainId;
    private long epoch;
    private long transferId;
    private long sinceSeq;
    private boolean full;
    private long startSeq;
    private int segment;
    private int stagedLength;
    private int stagedPosition;
    private int stagedCount;
    private int suspectKeysLength;
    private long entriesSent;
    private long slotsSent;
    private long messageId;

    /**
     * @param store    the tail's store.
     * @param sender   offers (and if need be chunks) messages.
     * @param counters where transfers are counted.
     */
    public SnapshotStreamer(final ChainStore store, final MessageSender sender, final TransferCounters counters)
    {
        this.store = store;
        this.clients = store.clients();
        this.sender = sender;
        this.counters = counters;
    }

    /**
     * Starts streaming, abandoning any transfer in progress.
     *
     * @param clusterId    cluster id stamped on every message.
     * @param chainId      chain id stamped on every message.
     * @param epoch        the epoch the transfer belongs to.
     * @param transferId   the joiner's id of this attempt.
     * @param sinceSeq     the joiner holds every committed write up to here (0: nothing).
     * @param suspectKeys  the joiner's suspect keys, each an int32 length then the bytes.
     * @param keysOffset   where they start.
     * @param keysLength   their total length.
     * @param lastApplied  this tail's last applied seq: the stream's start.
     * @return true if the transfer is full (the joiner drops what it holds first).
     */
    public boolean begin(
        final long clusterId,
        final int chainId,
        final long epoch,
        final long transferId,
        final long sinceSeq,
        final DirectBuffer suspectKeys,
        final int keysOffset,
        final int keysLength,
        final long lastApplied)
    {
        this.clusterId = clusterId;
        this.chainId = chainId;
        this.epoch = epoch;
        this.transferId = transferId;
        // A delta is possible only if no tombstone the joiner lacks has been collected and its history is ours.
        this.full = sinceSeq <= 0 || sinceSeq < store.tombstoneHorizon() || sinceSeq > lastApplied;
        this.sinceSeq = full ? 0 : sinceSeq;
        this.startSeq = lastApplied;
        this.suspectKeys.putBytes(0, suspectKeys, keysOffset, keysLength);
        this.suspectKeysLength = full ? 0 : keysLength;
        this.segment = 0;
        this.stagedLength = 0;
        this.stagedPosition = 0;
        this.stagedCount = 0;
        this.entriesSent = 0;
        this.slotsSent = 0;
        this.phase = Phase.BEGIN;
        counters.transfersStarted.incrementRelease();
        return full;
    }

    /**
     * Stops streaming (the joiner left, the epoch changed, or this node is no longer the tail).
     */
    public void reset()
    {
        phase = Phase.IDLE;
    }

    /**
     * @return true while the begin message has not gone out; live updates must wait for it.
     */
    public boolean isBeginPending()
    {
        return Phase.BEGIN == phase;
    }

    /**
     * @return true between {@link #begin} and the end message going out.
     */
    public boolean isStreaming()
    {
        return Phase.IDLE != phase && Phase.STREAMED != phase;
    }

    public long transferId()
    {
        return transferId;
    }

    /**
     * A client session ended on this tail while the transfer runs. Slots of it already walked and not yet sent are
     * dropped: sent after the {@code SESSION_END} update the joiner applies live, they would open the session again on
     * the joiner alone (docs/design.md, invariant 11). Sessions end rarely, so the scan of one staged segment is cheap.
     *
     * @param clientId the session's client id.
     */
    public void onSessionEnded(final long clientId)
    {
        if (Phase.CLIENTS != phase)
        {
            return;
        }
        int kept = stagedPosition;
        for (int at = stagedPosition; at < stagedLength; at += SLOT_RECORD)
        {
            if (staged.getLong(at, ORDER) != clientId)
            {
                if (kept != at)
                {
                    staged.putBytes(kept, staged, at, SLOT_RECORD);
                }
                kept += SLOT_RECORD;
            }
        }
        stagedCount -= (stagedLength - kept) / SLOT_RECORD;
        stagedLength = kept;
    }

    public long startSeq()
    {
        return startSeq;
    }

    public boolean isFull()
    {
        return full;
    }

    /**
     * @return the highest tombstone horizon the tail may take now: the joiner's seq while a delta streams (a tombstone
     * above it that the walk has not reached yet must reach the joiner), else {@link Long#MAX_VALUE}.
     */
    public long horizonLimit()
    {
        return isStreaming() && !full ? sinceSeq : Long.MAX_VALUE;
    }

    /**
     * Offers the next messages of the transfer.
     *
     * @param publication to the joiner.
     * @param lastApplied this tail's last applied seq, for the end message.
     * @return work done.
     */
    public int doWork(final Publication publication, final long lastApplied)
    {
        int work = 0;
        for (int i = 0; i < MESSAGES_PER_CYCLE; i++)
        {
            final int sent = step(publication, lastApplied);
            if (sent <= 0)
            {
                break;
            }
            work += sent;
        }
        return work;
    }

    private int step(final Publication publication, final long lastApplied)
    {
        switch (phase)
        {
            case BEGIN:
                return sendBegin(publication);

            case ENTRIES:
                while (stagedPosition >= stagedLength && segment < store.segmentCount())
                {
                    stageSegment(segment++);
                }
                if (stagedPosition >= stagedLength)
                {
                    phase = Phase.SUSPECTS;
                    stageSuspects();
                    return 1;
                }
                return sendEntries(publication);

            case SUSPECTS:
                if (stagedPosition >= stagedLength)
                {
                    phase = Phase.CLIENTS;
                    segment = 0;
                    return 1;
                }
                return sendEntries(publication);

            case CLIENTS:
                while (stagedPosition >= stagedLength && segment < clients.segmentCount())
                {
                    stageSlots(segment++);
                }
                if (stagedPosition >= stagedLength)
                {
                    phase = Phase.END;
                    return 1;
                }
                return sendSlots(publication);

            case END:
                return sendEnd(publication, lastApplied);

            default:
                return 0;
        }
    }

    private int sendBegin(final Publication publication)
    {
        beginEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .clusterId(clusterId)
            .chainId(chainId)
            .epoch(epoch)
            .transferId(transferId)
            .startSeq(startSeq)
            .sinceSeq(sinceSeq)
            .full((short)(full ? 1 : 0));
        if (sender.offer(publication, message, 0, MessageHeaderEncoder.ENCODED_LENGTH + beginEncoder.encodedLength()) < 0)
        {
            return 0;
        }
        phase = Phase.ENTRIES;
        return 1;
    }

    private int sendEnd(final Publication publication, final long lastApplied)
    {
        endEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .clusterId(clusterId)
            .chainId(chainId)
            .epoch(epoch)
            .transferId(transferId)
            .endSeq(lastApplied)
            .entries(entriesSent)
            .clientSlots(slotsSent)
            .tombstoneHorizon(store.tombstoneHorizon());
        if (sender.offer(publication, message, 0, MessageHeaderEncoder.ENCODED_LENGTH + endEncoder.encodedLength()) < 0)
        {
            return 0;
        }
        phase = Phase.STREAMED;
        counters.transfersStreamed.incrementRelease();
        return 1;
    }

    private void stageSegment(final int segmentIndex)
    {
        stagedLength = 0;
        stagedPosition = 0;
        stagedCount = 0;
        store.forEachInSegment(segmentIndex, this::stageEntry);
    }

    private void stageEntry(
        final DirectBuffer key, final int keyLength, final long version, final boolean tombstone,
        final DirectBuffer value, final int valueLength)
    {
        if (version > sinceSeq)
        {
            stageRecord(key, keyLength, version, tombstone, value, valueLength);
        }
    }

    private void stageRecord(
        final DirectBuffer key, final int keyLength, final long version, final boolean tombstone,
        final DirectBuffer value, final int valueLength)
    {
        final int at = stagedLength;
        staged.putInt(at, keyLength, ORDER);
        staged.putInt(at + 4, valueLength, ORDER);
        staged.putLong(at + 8, version, ORDER);
        staged.putByte(at + 16, (byte)(tombstone ? 1 : 0));
        staged.putBytes(at + RECORD_HEADER, key, 0, keyLength);
        staged.putBytes(at + RECORD_HEADER + keyLength, value, 0, valueLength);
        stagedLength = at + RECORD_HEADER + keyLength + valueLength;
        stagedCount++;
    }

    private void stageSuspects()
    {
        stagedLength = 0;
        stagedPosition = 0;
        stagedCount = 0;
        for (int at = 0; at + 4 <= suspectKeysLength; )
        {
            final int keyLength = suspectKeys.getInt(at, ORDER);
            if (keyLength < 1 || at + 4 + keyLength > suspectKeysLength)
            {
                break;
            }
            keyView.wrap(suspectKeys, at + 4, keyLength);
            if (store.read(keyView, 0, keyLength, storedValue) && storedValue.version() <= sinceSeq)
            {
                // Newer ones went out with the segments already.
                stageRecord(keyView, keyLength, storedValue.version(), storedValue.isTombstone(),
                    storedValue.value(), storedValue.valueLength());
            }
            at += 4 + keyLength;
        }
    }

    private int sendEntries(final Publication publication)
    {
        final TransferBatchEncoder encoder = batchEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .clusterId(clusterId)
            .chainId(chainId)
            .epoch(epoch)
            .transferId(transferId);

        int count = 0;
        int bytes = 0;
        int position = stagedPosition;
        while (position < stagedLength && count < MAX_GROUP_COUNT)
        {
            final int recordLength = RECORD_HEADER + staged.getInt(position, ORDER) + staged.getInt(position + 4, ORDER);
            if (count > 0 && bytes + recordLength > BATCH_TARGET_BYTES)
            {
                break;
            }
            bytes += recordLength;
            position += recordLength;
            count++;
        }

        final TransferBatchEncoder.EntriesEncoder entries = encoder.entriesCount(count);
        for (int at = stagedPosition; at < position; )
        {
            final int keyLength = staged.getInt(at, ORDER);
            final int valueLength = staged.getInt(at + 4, ORDER);
            entries.next()
                .version(staged.getLong(at + 8, ORDER))
                .tombstone(staged.getByte(at + 16))
                .putKey(staged, at + RECORD_HEADER, keyLength)
                .putValue(staged, at + RECORD_HEADER + keyLength, valueLength);
            at += RECORD_HEADER + keyLength + valueLength;
        }

        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        if (sender.send(publication, message, 0, length, --messageId) < 0)
        {
            return 0;
        }
        stagedPosition = position;
        entriesSent += count;
        counters.entriesSent.getAndAddRelease(count);
        counters.bytesSent.getAndAddRelease(length);
        return 1;
    }

    private void stageSlots(final int segmentIndex)
    {
        stagedLength = 0;
        stagedPosition = 0;
        stagedCount = 0;
        clients.forEachInSegment(segmentIndex, this::stageSlot);
    }

    private void stageSlot(final long clientId, final long requestSeq, final byte status, final long version)
    {
        final int at = stagedLength;
        staged.putLong(at, clientId, ORDER);
        staged.putLong(at + 8, requestSeq, ORDER);
        staged.putLong(at + 16, version, ORDER);
        staged.putByte(at + 24, status);
        stagedLength = at + SLOT_RECORD;
        stagedCount++;
    }

    private int sendSlots(final Publication publication)
    {
        final int maxCount = Math.min(MAX_GROUP_COUNT, BATCH_TARGET_BYTES / SLOT_RECORD);
        final int count = Math.min(maxCount, (stagedLength - stagedPosition) / SLOT_RECORD);
        final TransferClientsEncoder encoder = clientsEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .clusterId(clusterId)
            .chainId(chainId)
            .epoch(epoch)
            .transferId(transferId);
        final TransferClientsEncoder.SlotsEncoder slots = encoder.slotsCount(count);
        for (int i = 0, at = stagedPosition; i < count; i++, at += SLOT_RECORD)
        {
            slots.next()
                .clientId(staged.getLong(at, ORDER))
                .requestSeq(staged.getLong(at + 8, ORDER))
                .version(staged.getLong(at + 16, ORDER))
                .status((short)(staged.getByte(at + 24) & 0xFF));
        }
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        if (sender.send(publication, message, 0, length, --messageId) < 0)
        {
            return 0;
        }
        stagedPosition += count * SLOT_RECORD;
        slotsSent += count;
        counters.bytesSent.getAndAddRelease(length);
        return 1;
    }
}
