package io.chainkv.node.store;

import io.chainkv.protocol.ProtocolLimits;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteOrder;

/**
 * Exactly-once table (DESIGN.md invariant 7): the outcome of each client's recent requests, so a retried write is
 * answered with its first outcome instead of being applied twice, on whichever node is head by then.
 * <p>
 * A client never has more than {@link ProtocolLimits#EXACTLY_ONCE_WINDOW} requests in flight and sends request
 * {@code r + WINDOW} only after {@code r} completed, so one slot per {@code (clientId, requestSeq mod WINDOW)}
 * remembers every request a client can still retry. Each slot holds (requestSeq, status, version) in a persisted
 * Chronicle Map of constant-size entries, sized for {@code maxClients * WINDOW} slots. Every node records as it
 * applies the update stream, so the table is part of the replicated state.
 * <p>
 * Allocation-free once warm, like {@link ChainStore}; one thread at a time.
 * <p>
 * Future work: slots of departed clients are never removed, so the table only grows with the number of distinct
 * clients ever seen; it needs a garbage collection of idle clients (e.g. by a lease) before it meets
 * {@code maxClients} in long-running clusters.
 */
public final class ClientTable implements AutoCloseable
{
    /** The request was not seen (or only an older request used its slot): apply it. */
    public static final int NEW = 0;
    /** The request was seen: answer with the recorded outcome, do not apply it again. */
    public static final int DUPLICATE = 1;
    /** A newer request of the client took the slot: the client already saw this one complete, drop it. */
    public static final int TOO_OLD = 2;

    private static final int WINDOW = ProtocolLimits.EXACTLY_ONCE_WINDOW;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private static final int KEY_CLIENT_ID_OFFSET = 0;
    private static final int KEY_SLOT_OFFSET = 8;
    private static final int KEY_LENGTH = 16;

    private static final int VALUE_REQUEST_SEQ_OFFSET = 0;
    private static final int VALUE_VERSION_OFFSET = 8;
    private static final int VALUE_STATUS_OFFSET = 16;
    private static final int VALUE_LENGTH = 17;

    private final ChronicleMap<byte[], byte[]> slots;
    private final IntentLog intentLog;
    private final NativeScratch keyScratch = NativeScratch.allocate(KEY_LENGTH);
    private final NativeScratch valueScratch = NativeScratch.allocate(VALUE_LENGTH);
    private final UnsafeBuffer slotView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer slotKeyView = new UnsafeBuffer(0, 0);

    private ClientTable(final ChronicleMap<byte[], byte[]> slots, final IntentLog intentLog)
    {
        this.slots = slots;
        this.intentLog = intentLog;
    }

    static ClientTable open(final File file, final int maxClients, final boolean recover, final IntentLog intentLog)
        throws IOException
    {
        final ChronicleMapBuilder<byte[], byte[]> builder = ChronicleMapBuilder.of(byte[].class, byte[].class)
            .name("chainkv-clients")
            .constantKeySizeBySample(new byte[KEY_LENGTH])
            .constantValueSizeBySample(new byte[VALUE_LENGTH])
            .entries((long)maxClients * WINDOW);
        return new ClientTable(ChainStore.openMap(builder, file, recover), intentLog);
    }

    /**
     * @param clientId   the client.
     * @param requestSeq the request's sequence number within the client.
     * @param out        filled with the recorded status and version when the answer is {@link #DUPLICATE}.
     * @return {@link #NEW}, {@link #DUPLICATE} or {@link #TOO_OLD}.
     */
    public int lookup(final long clientId, final long requestSeq, final ClientResult out)
    {
        fillKey(clientId, requestSeq);
        try (ExternalMapQueryContext<byte[], byte[], ?> context =
            slots.queryContext(keyScratch.bytesStore(), 0, KEY_LENGTH))
        {
            context.readLock().lock();
            final MapEntry<byte[], byte[]> entry = context.entry();
            if (null == entry)
            {
                return NEW;
            }
            slotView.wrap(entry.value().bytes().addressForRead(entry.value().offset()), VALUE_LENGTH);
            final long recordedSeq = slotView.getLong(VALUE_REQUEST_SEQ_OFFSET, ORDER);
            if (recordedSeq == requestSeq)
            {
                out.set(slotView.getByte(VALUE_STATUS_OFFSET), slotView.getLong(VALUE_VERSION_OFFSET, ORDER));
                return DUPLICATE;
            }
            return recordedSeq > requestSeq ? TOO_OLD : NEW;
        }
    }

    /**
     * Records the outcome of a request in its slot, unless the slot already holds a newer request of the client.
     *
     * @param clientId   the client.
     * @param requestSeq the request's sequence number within the client.
     * @param status     the status the request was answered with.
     * @param version    the version it was given (the write's sequence number).
     */
    public void record(final long clientId, final long requestSeq, final byte status, final long version)
    {
        // A slot is overwritten in place; see IntentLog for why a kill mid-write must be redone, not left torn.
        intentLog.beginClientRecord(clientId, requestSeq, status, version);
        try
        {
            apply(clientId, requestSeq, status, version);
        }
        finally
        {
            intentLog.endClientRecord();
        }
    }

    void finishInterruptedRecord(final boolean unclean)
    {
        if (intentLog.clientRecordPending())
        {
            if (unclean)
            {
                apply(intentLog.clientId(), intentLog.requestSeq(), intentLog.status(), intentLog.version());
            }
            intentLog.endClientRecord();
        }
    }

    private void apply(final long clientId, final long requestSeq, final byte status, final long version)
    {
        fillKey(clientId, requestSeq);
        final UnsafeBuffer value = valueScratch.buffer();
        value.putLong(VALUE_REQUEST_SEQ_OFFSET, requestSeq, ORDER);
        value.putLong(VALUE_VERSION_OFFSET, version, ORDER);
        value.putByte(VALUE_STATUS_OFFSET, status);
        try (ExternalMapQueryContext<byte[], byte[], ?> context =
            slots.queryContext(keyScratch.bytesStore(), 0, KEY_LENGTH))
        {
            context.updateLock().lock();
            final MapEntry<byte[], byte[]> entry = context.entry();
            final var data = context.wrapValueBytesAsData(valueScratch.bytesStore(), 0, VALUE_LENGTH);
            if (null != entry)
            {
                slotView.wrap(entry.value().bytes().addressForRead(entry.value().offset()), VALUE_LENGTH);
                if (slotView.getLong(VALUE_REQUEST_SEQ_OFFSET, ORDER) > requestSeq)
                {
                    // A newer request of the client holds the slot (a joiner can meet the slot in the snapshot
                    // before the update that recorded an older request): keep it.
                    return;
                }
                context.replaceValue(entry, data);
            }
            else
            {
                context.insert(context.absentEntry(), data);
            }
        }
    }

    /**
     * @return how many segments the table has; {@link #forEachInSegment} walks one at a time.
     */
    public int segmentCount()
    {
        return slots.segments();
    }

    /**
     * Visits the slots of one segment, e.g. to stream the table to a joining node.
     *
     * @param segment from 0 to {@link #segmentCount()} - 1.
     * @param visitor sees each slot; must not write to the table.
     */
    public void forEachInSegment(final int segment, final SlotVisitor visitor)
    {
        try (MapSegmentContext<byte[], byte[], ?> context = slots.segmentContext(segment))
        {
            context.forEachSegmentEntry(entry ->
            {
                final UnsafeBuffer key = slotKeyView;
                key.wrap(entry.key().bytes().addressForRead(entry.key().offset()), KEY_LENGTH);
                slotView.wrap(entry.value().bytes().addressForRead(entry.value().offset()), VALUE_LENGTH);
                visitor.onSlot(
                    key.getLong(KEY_CLIENT_ID_OFFSET, ORDER),
                    slotView.getLong(VALUE_REQUEST_SEQ_OFFSET, ORDER),
                    slotView.getByte(VALUE_STATUS_OFFSET),
                    slotView.getLong(VALUE_VERSION_OFFSET, ORDER));
            });
        }
    }

    /**
     * Removes every slot; part of {@link ChainStore#clear()}.
     */
    void clear()
    {
        slots.clear();
    }

    /**
     * Receives the slots of a {@link ClientTable} in {@link #forEachInSegment}.
     */
    @FunctionalInterface
    public interface SlotVisitor
    {
        /**
         * @param clientId   the client.
         * @param requestSeq the newest request recorded in the slot.
         * @param status     the status it was answered with.
         * @param version    the version it was given.
         */
        void onSlot(long clientId, long requestSeq, byte status, long version);
    }

    /**
     * @return slots in use (client, request slot pairs).
     */
    public long size()
    {
        return slots.longSize();
    }

    private void fillKey(final long clientId, final long requestSeq)
    {
        final UnsafeBuffer key = keyScratch.buffer();
        key.putLong(KEY_CLIENT_ID_OFFSET, clientId, ORDER);
        key.putLong(KEY_SLOT_OFFSET, Math.floorMod(requestSeq, (long)WINDOW), ORDER);
    }

    /**
     * Closed by {@link ChainStore#close()}.
     */
    public void close()
    {
        try
        {
            slots.close();
        }
        finally
        {
            keyScratch.close();
            valueScratch.close();
        }
    }
}
