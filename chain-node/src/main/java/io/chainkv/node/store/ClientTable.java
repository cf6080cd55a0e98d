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
 * Exactly-once table (docs/design.md, invariant 7): the client sessions a chain knows and the outcome of each session's
 * recent requests, so a retried write is answered with its first outcome instead of being applied twice, on whichever
 * node is head by then.
 * <p>
 * A client never has more than {@link ProtocolLimits#EXACTLY_ONCE_WINDOW} requests in flight and sends request
 * {@code r + WINDOW} only after {@code r} completed, so one slot per {@code (clientId, requestSeq mod WINDOW)}
 * remembers every request a client can still retry. Every node records as it applies the update stream, so the
 * table is part of the replicated state.
 * <p>
 * <b>Sessions.</b> A client id is a session: it is opened by the first update recorded for it and ended by a
 * {@code SESSION_END} update ({@link #endSession}), which the head decides when the session's lease runs out, so every
 * replica opens and ends it at the same seq (docs/design.md, invariant 11). An ended session's region is reused. The
 * head admits at most {@link #maxSessions()} sessions ({@link #hasRoomForSession()}) before it sequences a new
 * client's first write; the file has room for twice as many, so applying what the head admitted never runs out of room.
 * <p>
 * <b>Layout</b> (one memory-mapped file, sparse: untouched regions cost no disk or memory): a header; a directory,
 * an open-addressing hash table of {@code clientId -> region}; then regions of {@code WINDOW} fixed slots
 * (requestSeq, version, status, in-use flag), one region per session, indexed directly by
 * {@code requestSeq mod WINDOW}; the first slot's unused tail holds the region's owner (the session's client id, 0 when
 * free). A lookup or record is a hash probe and a few plain loads or stores. It replaced a Chronicle Map whose query
 * contexts made the table a quarter to a third of each node's per-write CPU (docs/performance.md).
 * <p>
 * <b>kill -9:</b> the owners are the truth and the directory an index rebuilt from them at every open (the directory's
 * deletions move entries, which a kill could leave half done). A record overwrites its slot in place, and a session's
 * end frees its region, each under the {@link IntentLog}'s client record, which an unclean open redoes. A new session's
 * region is zeroed before its owner is written, and the owner before the directory entry.
 * <p>
 * Allocation-free once open; one thread at a time.
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
    // 2: the region's owner in the first slot's tail (1 kept it only in the directory; upgraded in place on open).
    private static final int LAYOUT_VERSION = 2;
    private static final int LAYOUT_VERSION_1 = 1;

    private static final int MAGIC_OFFSET = 0;
    private static final int LAYOUT_VERSION_OFFSET = 8;
    private static final int MAX_REGIONS_OFFSET = 12;
    private static final int DIRECTORY_CAPACITY_OFFSET = 16;
    private static final int REGIONS_USED_OFFSET = 20;
    private static final int HEADER_LENGTH = 64;

    private static final int DIR_CLIENT_ID_OFFSET = 0;
    private static final int DIR_REGION_OFFSET = 8; // region number + 1; 0 = empty entry
    private static final int DIR_ENTRY_LENGTH = 16;
    // About what a slice of 256 directory entries held before: up to 64 sessions' slots staged per step of a transfer.
    private static final int REGIONS_PER_SEGMENT = 64;

    private static final int SLOT_REQUEST_SEQ_OFFSET = 0;
    private static final int SLOT_VERSION_OFFSET = 8;
    private static final int SLOT_STATUS_OFFSET = 16;
    private static final int SLOT_IN_USE_OFFSET = 17;
    private static final int SLOT_LENGTH = 32;
    // In the first slot's unused tail, so layout 2 has the size of layout 1.
    private static final int REGION_OWNER_OFFSET = 24;
    private static final int REGION_LENGTH = WINDOW * SLOT_LENGTH;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final UnsafeBuffer directory;
    private final UnsafeBuffer region = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer ownerView = new UnsafeBuffer(0, 0);
    private final long regionsAddress;
    private final int maxRegions;
    private final int directoryMask;
    private final IntentLog intentLog;
    private final int maxSessions;
    // Regions below the high-water mark whose owner is 0, as a stack; rebuilt from the owners at open.
    private final int[] freeRegions;
    private int freeCount;
    private int sessionCount;
    private long recordsWithoutRoom;

    private ClientTable(final MappedByteBuffer mapped, final IntentLog intentLog, final int maxSessions)
    {
        this.mapped = mapped;
        this.intentLog = intentLog;
        this.maxSessions = maxSessions;
        final long address = BufferUtil.address(mapped);
        header = new UnsafeBuffer(address, HEADER_LENGTH);
        maxRegions = header.getInt(MAX_REGIONS_OFFSET, ORDER);
        final int directoryCapacity = header.getInt(DIRECTORY_CAPACITY_OFFSET, ORDER);
        directoryMask = directoryCapacity - 1;
        directory = new UnsafeBuffer(address + HEADER_LENGTH, directoryCapacity * DIR_ENTRY_LENGTH);
        regionsAddress = address + HEADER_LENGTH + (long)directoryCapacity * DIR_ENTRY_LENGTH;
        freeRegions = new int[maxRegions];
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
            (header.getInt(LAYOUT_VERSION_OFFSET, ORDER) != LAYOUT_VERSION &&
            header.getInt(LAYOUT_VERSION_OFFSET, ORDER) != LAYOUT_VERSION_1) ||
            header.getInt(MAX_REGIONS_OFFSET, ORDER) != maxRegions ||
            header.getInt(DIRECTORY_CAPACITY_OFFSET, ORDER) != directoryCapacity)
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(file + " is not an exactly-once table of layout " + LAYOUT_VERSION +
                " for maxClients=" + maxClients + ": move the data directory aside and let the node rejoin");
        }

        final ClientTable table = new ClientTable(mapped, intentLog, maxClients);
        if (existing && header.getInt(LAYOUT_VERSION_OFFSET, ORDER) == LAYOUT_VERSION_1)
        {
            table.upgradeFromLayout1();
            LOG.info("{}: exactly-once table upgraded to layout {} (region owners)", file, LAYOUT_VERSION);
        }
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
        table.rebuildIndex();
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
     * @param out        filled with the session's index ({@link ClientResult#session()}, -1 when the table holds no
     *                   session of the client) and, when the answer is {@link #DUPLICATE}, the recorded outcome.
     * @return {@link #NEW}, {@link #DUPLICATE} or {@link #TOO_OLD}.
     */
    public int lookup(final long clientId, final long requestSeq, final ClientResult out)
    {
        final int entry = findEntry(clientId);
        final int regionValue = directory.getInt(entry + DIR_REGION_OFFSET, ORDER);
        out.session(regionValue - 1);
        if (0 == regionValue)
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
     * Records the outcome of a request in its slot, unless the slot already holds a newer request of the client; opens
     * the client's session if the table holds none. Never throws on the apply path: the head admits a new session only
     * while {@link #hasRoomForSession()}, and the file has room for twice that. Should a record still find no room (a
     * replica made with a smaller table than the head's), it is counted ({@link #recordsWithoutRoom()}), logged and
     * skipped, and the update applies: a replica that stopped applying would be worse off than one that forgets a
     * client's outcomes.
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

    /**
     * Ends a client's session: its slots are forgotten and its region freed for another session. Applied by every
     * replica at the seq of the {@code SESSION_END} update the head decided; a request of the session after that is
     * answered SESSION_EXPIRED. Idempotent; never throws.
     *
     * @param clientId the session's client id.
     * @return true if the table held the session.
     */
    public boolean endSession(final long clientId)
    {
        // The directory's deletion moves entries: redone from the client id (the index is rebuilt at open anyway).
        intentLog.beginSessionEnd(clientId);
        try
        {
            return removeSession(clientId);
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
                if (intentLog.sessionEndPending())
                {
                    removeSession(intentLog.clientId());
                }
                else
                {
                    apply(intentLog.clientId(), intentLog.requestSeq(), intentLog.status(), intentLog.version());
                }
            }
            intentLog.endClientRecord();
        }
    }

    /**
     * @return whether the head may admit one more session (a new client's first write).
     */
    public boolean hasRoomForSession()
    {
        return sessionCount < maxSessions;
    }

    /**
     * @return sessions the table holds.
     */
    public int sessionCount()
    {
        return sessionCount;
    }

    /**
     * @return sessions the head admits ({@code maxClients} of the store).
     */
    public int maxSessions()
    {
        return maxSessions;
    }

    /**
     * @return records skipped for want of room (never, while every replica has the head's table size).
     */
    public long recordsWithoutRoom()
    {
        return recordsWithoutRoom;
    }

    /**
     * @return how many session indices the table can ever use (twice {@link #maxSessions()}).
     */
    public int sessionIndexCapacity()
    {
        return maxRegions;
    }

    /**
     * @return one past the highest session index in use so far; {@link #sessionOwner} is 0 at or above it.
     */
    public int sessionIndexLimit()
    {
        return header.getInt(REGIONS_USED_OFFSET, ORDER);
    }

    /**
     * @param session a session index, from 0 to {@link #sessionIndexLimit()} - 1 (as {@link ClientResult#session()}).
     * @return the client id whose session has that index, or 0 if the index is free.
     */
    public long sessionOwner(final int session)
    {
        return owner(session).getLongVolatile(0);
    }

    /**
     * @param clientId a client.
     * @return the index of its session, or -1 if the table holds none.
     */
    public int sessionOf(final long clientId)
    {
        return directory.getInt(findEntry(clientId) + DIR_REGION_OFFSET, ORDER) - 1;
    }

    private void apply(final long clientId, final long requestSeq, final byte status, final long version)
    {
        if (0 == clientId)
        {
            // 0 marks a free region; the head refuses writes of client 0, so only a hand-made update carries it.
            return;
        }
        final int entry = findEntry(clientId);
        if (0 == directory.getInt(entry + DIR_REGION_OFFSET, ORDER) && !addClient(entry, clientId))
        {
            return;
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

    private boolean addClient(final int entry, final long clientId)
    {
        final int regionNumber;
        if (freeCount > 0)
        {
            regionNumber = freeRegions[--freeCount];
        }
        else
        {
            regionNumber = header.getInt(REGIONS_USED_OFFSET, ORDER);
            if (regionNumber >= maxRegions)
            {
                if (0 == recordsWithoutRoom++)
                {
                    LOG.error("the exactly-once table has no room for client {}: {} sessions in a table for {}; the " +
                        "head admits only {}, so this replica's table is smaller than the head's. Its outcomes are " +
                        "not recorded here (logged once, counted)", clientId, sessionCount, maxRegions, maxSessions);
                }
                return false;
            }
            // The high-water mark first, so a kill before the owner is written leaves a free region, never a shared one.
            header.putIntOrdered(REGIONS_USED_OFFSET, regionNumber + 1);
        }
        // A reused region holds its previous session's slots: zeroed before the owner makes it this session's.
        region.wrap(regionsAddress + (long)regionNumber * REGION_LENGTH, REGION_LENGTH);
        region.setMemory(0, REGION_LENGTH, (byte)0);
        region.putLongOrdered(REGION_OWNER_OFFSET, clientId);
        directory.putLong(entry + DIR_CLIENT_ID_OFFSET, clientId, ORDER);
        directory.putIntOrdered(entry + DIR_REGION_OFFSET, regionNumber + 1);
        sessionCount++;
        return true;
    }

    /**
     * Points {@link #ownerView} at a region's owner field.
     */
    private UnsafeBuffer owner(final int regionNumber)
    {
        ownerView.wrap(regionsAddress + (long)regionNumber * REGION_LENGTH + REGION_OWNER_OFFSET, 8);
        return ownerView;
    }

    private boolean removeSession(final long clientId)
    {
        final int entry = findEntry(clientId);
        final int regionNumber = directory.getInt(entry + DIR_REGION_OFFSET, ORDER) - 1;
        if (regionNumber < 0)
        {
            return false;
        }
        // The owner is the truth (the index is rebuilt from it at open): once it is 0 the session is gone.
        owner(regionNumber).putLongVolatile(0, 0L);
        deleteEntry(entry / DIR_ENTRY_LENGTH);
        freeRegions[freeCount++] = regionNumber;
        sessionCount--;
        return true;
    }

    /**
     * Backward-shift deletion for linear probing: later entries of the same probe run move into the hole, so lookups
     * never need tombstones and the directory never fills with them.
     */
    private void deleteEntry(final int index)
    {
        int hole = index;
        int next = index;
        while (true)
        {
            next = (next + 1) & directoryMask;
            final int at = next * DIR_ENTRY_LENGTH;
            final int regionValue = directory.getInt(at + DIR_REGION_OFFSET, ORDER);
            if (0 == regionValue)
            {
                break;
            }
            final long clientId = directory.getLong(at + DIR_CLIENT_ID_OFFSET, ORDER);
            final int home = hash(clientId) & directoryMask;
            final boolean staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!staysPut)
            {
                final int holeAt = hole * DIR_ENTRY_LENGTH;
                directory.putLong(holeAt + DIR_CLIENT_ID_OFFSET, clientId, ORDER);
                directory.putInt(holeAt + DIR_REGION_OFFSET, regionValue, ORDER);
                hole = next;
            }
        }
        final int holeAt = hole * DIR_ENTRY_LENGTH;
        directory.putInt(holeAt + DIR_REGION_OFFSET, 0, ORDER);
        directory.putLong(holeAt + DIR_CLIENT_ID_OFFSET, 0, ORDER);
    }

    /**
     * Rebuilds the directory, the free regions and the session count from the regions' owners.
     */
    private void rebuildIndex()
    {
        directory.setMemory(0, directory.capacity(), (byte)0);
        freeCount = 0;
        sessionCount = 0;
        final int regionsUsed = header.getInt(REGIONS_USED_OFFSET, ORDER);
        for (int r = 0; r < regionsUsed; r++)
        {
            final long owner = sessionOwner(r);
            final int entry = 0 == owner ? 0 : findEntry(owner);
            if (0 == owner || 0 != directory.getInt(entry + DIR_REGION_OFFSET, ORDER))
            {
                // Free, or a second region naming the same client (not expected: a session's region is found before
                // another is taken): the first one found keeps the session, the other is freed for good.
                if (0 != owner)
                {
                    LOG.warn("exactly-once table: region {} also names client {}; freed", r, owner);
                    owner(r).putLongVolatile(0, 0L);
                }
                freeRegions[freeCount++] = r;
                continue;
            }
            directory.putLong(entry + DIR_CLIENT_ID_OFFSET, owner, ORDER);
            directory.putInt(entry + DIR_REGION_OFFSET, r + 1, ORDER);
            sessionCount++;
        }
    }

    /**
     * Layout 1 kept a region's client only in the directory: copy it into the region, then mark the file layout 2.
     * Idempotent, so a kill half way upgrades again.
     */
    private void upgradeFromLayout1()
    {
        for (int entry = 0; entry < directory.capacity(); entry += DIR_ENTRY_LENGTH)
        {
            final int regionValue = directory.getInt(entry + DIR_REGION_OFFSET, ORDER);
            if (0 != regionValue)
            {
                owner(regionValue - 1).putLong(0, directory.getLong(entry + DIR_CLIENT_ID_OFFSET, ORDER), ORDER);
            }
        }
        mapped.force();
        header.putIntOrdered(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
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
     * @return how many segments the table has (slices of its session regions); {@link #forEachInSegment} walks one at a
     * time.
     */
    public int segmentCount()
    {
        return (maxRegions + REGIONS_PER_SEGMENT - 1) / REGIONS_PER_SEGMENT;
    }

    /**
     * Visits the slots in use of the sessions in one slice of the regions, e.g. to stream the table to a joining node.
     * A walk over the regions, not the directory: a session's region stays where it is for the session's life, while
     * the directory's deletions move entries, which could carry a live session from a slice not yet walked into one
     * already walked, and a joiner would never get it.
     *
     * @param segment from 0 to {@link #segmentCount()} - 1.
     * @param visitor sees each slot; must not write to the table.
     */
    public void forEachInSegment(final int segment, final SlotVisitor visitor)
    {
        final int end = Math.min(header.getInt(REGIONS_USED_OFFSET, ORDER), (segment + 1) * REGIONS_PER_SEGMENT);
        for (int r = segment * REGIONS_PER_SEGMENT; r < end; r++)
        {
            final long clientId = sessionOwner(r);
            if (0 == clientId)
            {
                continue;
            }
            region.wrap(regionsAddress + (long)r * REGION_LENGTH, REGION_LENGTH);
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
     * Removes every session and slot: part of {@link ChainStore#clear()}, and done by a joiner when a transfer begins,
     * since the transfer brings the giver's whole table (a session the chain ended while the joiner was away must not
     * survive on it).
     */
    public void clear()
    {
        // The high-water mark first: the index is rebuilt from owners below it, and regions are zeroed when reused.
        final int regionsUsed = header.getInt(REGIONS_USED_OFFSET, ORDER);
        header.putIntOrdered(REGIONS_USED_OFFSET, 0);
        for (int r = 0; r < regionsUsed; r++)
        {
            owner(r).putLong(0, 0L, ORDER);
        }
        directory.setMemory(0, directory.capacity(), (byte)0);
        freeCount = 0;
        sessionCount = 0;
    }

    /**
     * Order-independent digest of the sessions and their slots in use: replicas that applied the same updates give the
     * same digest, whatever order their regions were allocated in. For comparing replicas in tests and checks.
     */
    public long digest()
    {
        long sum = 0;
        final int regionsUsed = header.getInt(REGIONS_USED_OFFSET, ORDER);
        for (int r = 0; r < regionsUsed; r++)
        {
            final long owner = sessionOwner(r);
            if (0 == owner)
            {
                continue;
            }
            region.wrap(regionsAddress + (long)r * REGION_LENGTH, REGION_LENGTH);
            sum += ChainStore.mix(owner);
            for (int slot = 0; slot < REGION_LENGTH; slot += SLOT_LENGTH)
            {
                if (0 != region.getByte(slot + SLOT_IN_USE_OFFSET))
                {
                    final long outcome = region.getLong(slot + SLOT_REQUEST_SEQ_OFFSET, ORDER) * 31 +
                        region.getLong(slot + SLOT_VERSION_OFFSET, ORDER) * 7 + region.getByte(slot + SLOT_STATUS_OFFSET);
                    sum += ChainStore.mix(owner * 31 + ChainStore.mix(outcome));
                }
            }
        }
        return sum;
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
            if (0 == sessionOwner(r))
            {
                continue;
            }
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
