package io.chainkv.node.store;

import io.chainkv.protocol.ProtocolLimits;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;

/**
 * Exactly-once table (docs/design.md, invariant 7): the outcome of each client's recent requests, so a retried write is
 * answered with its first outcome instead of being applied twice, on whichever node is head by then.
 * <p>
 * A client never has more than {@link ProtocolLimits#EXACTLY_ONCE_WINDOW} requests in flight and sends request
 * {@code r + WINDOW} only after {@code r} completed, so one slot per {@code (clientId, requestSeq mod WINDOW)}
 * remembers every request a client can still retry. Every node records as it applies the update stream, so the
 * table is part of the replicated state.
 * <p>
 * <b>Layout</b> (one memory-mapped file, sparse: untouched regions cost no disk or memory): a header; a directory,
 * an open-addressing hash table of {@code clientId -> region}; then regions of {@code WINDOW} fixed slots
 * (requestSeq, version, status, in-use flag), one region per client, indexed directly by
 * {@code requestSeq mod WINDOW}. A lookup or record is a hash probe and a few plain loads or stores. It replaced a
 * Chronicle Map whose query contexts made the table a quarter to a third of each node's per-write CPU
 * (docs/performance.md).
 * <p>
 * <b>kill -9:</b> a record overwrites its slot in place, under the {@link IntentLog}'s client record, which an unclean
 * open redoes, so a torn slot is always rewritten. A new client's directory entry is published last with an
 * ordered store of its region number, so a kill before that leaves at worst a region that is never used.
 * <p>
 * Room for {@code 2 * maxClients} clients, like the Chronicle Map it replaced, which grew to about twice its
 * configured entries before failing. Allocation-free; one thread at a time.
 * <p>
 * Future work: slots of departed clients are never removed, so the table only grows with the number of distinct
 * clients ever seen; it needs a garbage collection of idle clients (e.g. by a lease) before it meets its capacity in
 * long-running clusters.
 */
public final class ClientTable implements AutoCloseable
{
    /** The request was not seen (or only an older request used its slot): apply it. */
    public static final int NEW = 0;
    /** The request was seen: answer with the recorded outcome, do not apply it again. */
    public static final int DUPLICATE = 1;
    /** A newer request of the client took the slot: the client already saw this one complete, drop it. */
    public static final int TOO_OLD = 2;

    /** File name of the table in a store's data directory. */
    static final String FILE_NAME = "clients.tbl";
    /** The Chronicle Map earlier versions kept; migrated into a new table on open, then renamed. */
    static final String LEGACY_FILE_NAME = "clients.cm3";

    private static final Logger LOG = LoggerFactory.getLogger(ClientTable.class);
    private static final int WINDOW = ProtocolLimits.EXACTLY_ONCE_WINDOW;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long MAGIC = 0x4348_4B56_434C_4E54L; // "CHKVCLNT"
    private static final int LAYOUT_VERSION = 1;

    private static final int MAGIC_OFFSET = 0;
    private static final int LAYOUT_VERSION_OFFSET = 8;
    private static final int MAX_REGIONS_OFFSET = 12;
    private static final int DIRECTORY_CAPACITY_OFFSET = 16;
    private static final int REGIONS_USED_OFFSET = 20;
    private static final int HEADER_LENGTH = 64;

    private static final int DIR_CLIENT_ID_OFFSET = 0;
    private static final int DIR_REGION_OFFSET = 8; // region number + 1; 0 = empty entry
    private static final int DIR_ENTRY_LENGTH = 16;
    private static final int DIRECTORY_ENTRIES_PER_SEGMENT = 256;

    private static final int SLOT_REQUEST_SEQ_OFFSET = 0;
    private static final int SLOT_VERSION_OFFSET = 8;
    private static final int SLOT_STATUS_OFFSET = 16;
    private static final int SLOT_IN_USE_OFFSET = 17;
    private static final int SLOT_LENGTH = 32;
    private static final int REGION_LENGTH = WINDOW * SLOT_LENGTH;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final UnsafeBuffer directory;
    private final UnsafeBuffer region = new UnsafeBuffer(0, 0);
    private final long regionsAddress;
    private final int maxRegions;
    private final int directoryMask;
    private final IntentLog intentLog;

    private ClientTable(final MappedByteBuffer mapped, final IntentLog intentLog)
    {
        this.mapped = mapped;
        this.intentLog = intentLog;
        final long address = BufferUtil.address(mapped);
        header = new UnsafeBuffer(address, HEADER_LENGTH);
        maxRegions = header.getInt(MAX_REGIONS_OFFSET, ORDER);
        final int directoryCapacity = header.getInt(DIRECTORY_CAPACITY_OFFSET, ORDER);
        directoryMask = directoryCapacity - 1;
        directory = new UnsafeBuffer(address + HEADER_LENGTH, directoryCapacity * DIR_ENTRY_LENGTH);
        regionsAddress = address + HEADER_LENGTH + (long)directoryCapacity * DIR_ENTRY_LENGTH;
    }

    static ClientTable open(final File file, final int maxClients, final boolean recover, final IntentLog intentLog)
        throws IOException
    {
        final int maxRegions = 2 * maxClients;
        final int directoryCapacity = BitUtil.findNextPositivePowerOfTwo(2 * maxRegions);
        final long length = HEADER_LENGTH + (long)directoryCapacity * DIR_ENTRY_LENGTH + (long)maxRegions * REGION_LENGTH;
        final boolean existing = file.exists();
        if (existing && file.length() != length)
        {
            throw new IllegalStateException(file + " is " + file.length() + " bytes, expected " + length +
                " for maxClients=" + maxClients + ": move the data directory aside and let the node rejoin");
        }

        if (existing && isUnfinished(file))
        {
            // Its creation (or the migration into it) was cut short before the magic, written last, landed:
            // start it again from nothing rather than trust half-made contents.
            LOG.warn("{}: unfinished exactly-once table from an interrupted creation; creating it again", file);
            if (!file.delete())
            {
                throw new IOException("cannot delete the unfinished " + file);
            }
            return open(file, maxClients, recover, intentLog);
        }

        final MappedByteBuffer mapped = existing ?
            IoUtil.mapExistingFile(file, "exactly-once table") : IoUtil.mapNewFile(file, length, false);
        final UnsafeBuffer header = new UnsafeBuffer(BufferUtil.address(mapped), HEADER_LENGTH);
        if (!existing)
        {
            header.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION, ORDER);
            header.putInt(MAX_REGIONS_OFFSET, maxRegions, ORDER);
            header.putInt(DIRECTORY_CAPACITY_OFFSET, directoryCapacity, ORDER);
            header.putInt(REGIONS_USED_OFFSET, 0, ORDER);
        }
        else if (header.getLong(MAGIC_OFFSET, ORDER) != MAGIC ||
            header.getInt(LAYOUT_VERSION_OFFSET, ORDER) != LAYOUT_VERSION ||
            header.getInt(MAX_REGIONS_OFFSET, ORDER) != maxRegions ||
            header.getInt(DIRECTORY_CAPACITY_OFFSET, ORDER) != directoryCapacity)
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(file + " is not an exactly-once table of layout " + LAYOUT_VERSION +
                " for maxClients=" + maxClients + ": move the data directory aside and let the node rejoin");
        }

        final ClientTable table = new ClientTable(mapped, intentLog);
        if (!existing)
        {
            try
            {
                table.migrateLegacy(new File(file.getParentFile(), LEGACY_FILE_NAME), maxClients, recover);
            }
            catch (final IOException | RuntimeException ex)
            {
                IoUtil.unmap(mapped);
                throw ex;
            }
            // The magic goes last, so a kill during creation or migration is recognisably unfinished.
            mapped.force();
            header.putLongOrdered(MAGIC_OFFSET, MAGIC);
            mapped.force();
        }
        retireLegacy(new File(file.getParentFile(), LEGACY_FILE_NAME));
        return table;
    }

    private static boolean isUnfinished(final File file)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, "exactly-once table");
        try
        {
            return 0 == new UnsafeBuffer(BufferUtil.address(mapped), HEADER_LENGTH).getLong(MAGIC_OFFSET, ORDER);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    /**
     * @param clientId   the client.
     * @param requestSeq the request's sequence number within the client.
     * @param out        filled with the recorded status and version when the answer is {@link #DUPLICATE}.
     * @return {@link #NEW}, {@link #DUPLICATE} or {@link #TOO_OLD}.
     */
    public int lookup(final long clientId, final long requestSeq, final ClientResult out)
    {
        final int entry = findEntry(clientId);
        if (0 == directory.getInt(entry + DIR_REGION_OFFSET, ORDER))
        {
            return NEW;
        }
        final int slot = wrapRegionOf(entry, requestSeq);
        if (0 == region.getByte(slot + SLOT_IN_USE_OFFSET))
        {
            return NEW;
        }
        final long recordedSeq = region.getLong(slot + SLOT_REQUEST_SEQ_OFFSET, ORDER);
        if (recordedSeq == requestSeq)
        {
            out.set(region.getByte(slot + SLOT_STATUS_OFFSET), region.getLong(slot + SLOT_VERSION_OFFSET, ORDER));
            return DUPLICATE;
        }
        return recordedSeq > requestSeq ? TOO_OLD : NEW;
    }

    /**
     * Records the outcome of a request in its slot, unless the slot already holds a newer request of the client.
     *
     * @param clientId   the client.
     * @param requestSeq the request's sequence number within the client.
     * @param status     the status the request was answered with.
     * @param version    the version it was given (the write's sequence number).
     * @throws IllegalStateException if the table has no room for another client.
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
        final int entry = findEntry(clientId);
        if (0 == directory.getInt(entry + DIR_REGION_OFFSET, ORDER))
        {
            addClient(entry, clientId);
        }
        final int slot = wrapRegionOf(entry, requestSeq);
        if (0 != region.getByte(slot + SLOT_IN_USE_OFFSET) &&
            region.getLong(slot + SLOT_REQUEST_SEQ_OFFSET, ORDER) > requestSeq)
        {
            // A newer request of the client holds the slot (a joiner can meet the slot in the snapshot before the
            // update that recorded an older request): keep it.
            return;
        }
        region.putLong(slot + SLOT_REQUEST_SEQ_OFFSET, requestSeq, ORDER);
        region.putLong(slot + SLOT_VERSION_OFFSET, version, ORDER);
        region.putByte(slot + SLOT_STATUS_OFFSET, status);
        region.putByte(slot + SLOT_IN_USE_OFFSET, (byte)1);
    }

    private void addClient(final int entry, final long clientId)
    {
        final int regionsUsed = header.getInt(REGIONS_USED_OFFSET, ORDER);
        if (regionsUsed >= maxRegions)
        {
            throw new IllegalStateException("the exactly-once table is full: " + regionsUsed + " clients recorded" +
                " (room for " + maxRegions + ", twice maxClients); idle clients are not yet collected");
        }
        // Region first, so a kill before the entry is published wastes a region rather than sharing one.
        header.putIntOrdered(REGIONS_USED_OFFSET, regionsUsed + 1);
        directory.putLong(entry + DIR_CLIENT_ID_OFFSET, clientId, ORDER);
        directory.putIntOrdered(entry + DIR_REGION_OFFSET, regionsUsed + 1);
    }

    /**
     * @return offset in {@link #directory} of the client's entry, or of the empty entry where it would go.
     */
    private int findEntry(final long clientId)
    {
        int index = hash(clientId) & directoryMask;
        while (true)
        {
            final int entry = index * DIR_ENTRY_LENGTH;
            if (0 == directory.getInt(entry + DIR_REGION_OFFSET, ORDER) ||
                directory.getLong(entry + DIR_CLIENT_ID_OFFSET, ORDER) == clientId)
            {
                return entry;
            }
            // Never full: at most maxRegions entries in a directory of at least twice as many.
            index = (index + 1) & directoryMask;
        }
    }

    /**
     * Points {@link #region} at the client's region and returns the offset of the request's slot in it.
     */
    private int wrapRegionOf(final int entry, final long requestSeq)
    {
        final int regionNumber = directory.getInt(entry + DIR_REGION_OFFSET, ORDER) - 1;
        region.wrap(regionsAddress + (long)regionNumber * REGION_LENGTH, REGION_LENGTH);
        return (int)Math.floorMod(requestSeq, (long)WINDOW) * SLOT_LENGTH;
    }

    private static int hash(final long clientId)
    {
        // Client ids are random, but tests and tools use small ones: mix so neighbours spread.
        final long h = clientId * 0x9E37_79B9_7F4A_7C15L;
        return (int)(h ^ (h >>> 32));
    }

    /**
     * @return how many segments the table has (slices of the client directory); {@link #forEachInSegment} walks one at
     * a time.
     */
    public int segmentCount()
    {
        return Math.max(1, (directoryMask + 1) / DIRECTORY_ENTRIES_PER_SEGMENT);
    }

    /**
     * Visits the slots in use of the clients in one slice of the directory, e.g. to stream the table to a joining
     * node.
     *
     * @param segment from 0 to {@link #segmentCount()} - 1.
     * @param visitor sees each slot; must not write to the table.
     */
    public void forEachInSegment(final int segment, final SlotVisitor visitor)
    {
        final int entries = directoryMask + 1;
        final int perSegment = Math.min(entries, DIRECTORY_ENTRIES_PER_SEGMENT);
        final int end = Math.min(entries, (segment + 1) * perSegment);
        for (int index = segment * perSegment; index < end; index++)
        {
            final int entry = index * DIR_ENTRY_LENGTH;
            if (0 == directory.getInt(entry + DIR_REGION_OFFSET, ORDER))
            {
                continue;
            }
            final long clientId = directory.getLong(entry + DIR_CLIENT_ID_OFFSET, ORDER);
            wrapRegionOf(entry, 0);
            for (int slot = 0; slot < REGION_LENGTH; slot += SLOT_LENGTH)
            {
                if (0 != region.getByte(slot + SLOT_IN_USE_OFFSET))
                {
                    visitor.onSlot(
                        clientId,
                        region.getLong(slot + SLOT_REQUEST_SEQ_OFFSET, ORDER),
                        region.getByte(slot + SLOT_STATUS_OFFSET),
                        region.getLong(slot + SLOT_VERSION_OFFSET, ORDER));
                }
            }
        }
    }

    /**
     * Removes every slot; part of {@link ChainStore#clear()}.
     */
    void clear()
    {
        // Directory first, so no client points at a region while the regions are being zeroed.
        directory.setMemory(0, directory.capacity(), (byte)0);
        final int regionsUsed = header.getInt(REGIONS_USED_OFFSET, ORDER);
        final UnsafeBuffer regions = new UnsafeBuffer(regionsAddress, Math.max(1, regionsUsed) * REGION_LENGTH);
        regions.setMemory(0, regionsUsed * REGION_LENGTH, (byte)0);
        header.putIntOrdered(REGIONS_USED_OFFSET, 0);
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
     * @return slots in use (client, request slot pairs); walks the regions in use, for tests and tools.
     */
    public long size()
    {
        final int regionsUsed = header.getInt(REGIONS_USED_OFFSET, ORDER);
        long size = 0;
        for (int r = 0; r < regionsUsed; r++)
        {
            region.wrap(regionsAddress + (long)r * REGION_LENGTH, REGION_LENGTH);
            for (int slot = 0; slot < REGION_LENGTH; slot += SLOT_LENGTH)
            {
                size += region.getByte(slot + SLOT_IN_USE_OFFSET);
            }
        }
        return size;
    }

    private void migrateLegacy(final File legacyFile, final int maxClients, final boolean recover) throws IOException
    {
        if (!legacyFile.exists())
        {
            return;
        }
        final ChronicleMapBuilder<byte[], byte[]> builder = ChronicleMapBuilder.of(byte[].class, byte[].class)
            .name("chainkv-clients")
            .constantKeySizeBySample(new byte[16])
            .constantValueSizeBySample(new byte[17])
            .entries((long)maxClients * WINDOW);
        final long[] migrated = new long[1];
        try (ChronicleMap<byte[], byte[]> legacy = ChainStore.openMap(builder, legacyFile, recover))
        {
            legacy.forEach((key, value) ->
            {
                final UnsafeBuffer k = new UnsafeBuffer(key);
                final UnsafeBuffer v = new UnsafeBuffer(value);
                apply(k.getLong(0, ORDER), v.getLong(0, ORDER), v.getByte(16), v.getLong(8, ORDER));
                migrated[0]++;
            });
        }
        LOG.info("exactly-once table: migrated {} slots from {}", migrated[0], legacyFile);
    }

    private static void retireLegacy(final File legacyFile) throws IOException
    {
        // Only once the new table is complete (its magic written), so a kill mid-migration migrates again.
        final File renamed = new File(legacyFile.getPath() + ".migrated");
        if (legacyFile.exists() && !legacyFile.renameTo(renamed))
        {
            throw new IOException("cannot rename " + legacyFile + " to " + renamed + " after migrating it");
        }
    }

    /**
     * Forces the table to disk and unmaps it; called by {@link ChainStore#close()}.
     */
    public void close()
    {
        try
        {
            mapped.force();
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
