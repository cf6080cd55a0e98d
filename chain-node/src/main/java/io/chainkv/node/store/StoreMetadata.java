package io.chainkv.node.store;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;

/**
 * A page of memory-mapped counters beside the maps: last applied and committed sequence numbers, the data byte
 * total, and the limits the maps were sized with.
 * <p>
 * Updating it is a plain store into mapped memory, cheap enough for every apply. It survives kill -9 of the process
 * because the page cache does; it is forced to disk on close. It does not survive a power failure between forces,
 * and neither do the maps, and the kernel writes this page and the maps' pages back independently: so the page also
 * records the boot it was opened in and whether the store is open, forced at every open and at a clean close, which
 * lets the next open tell a store it can trust from one an OS crash may have torn (docs/store.md).
 */
final class StoreMetadata implements AutoCloseable
{
    static final String FILE_NAME = "store.meta";
    static final int LENGTH = 4096;

    private static final long MAGIC = 0x4348_4B56_4D45_5441L; // "CHKVMETA"
    private static final int LAYOUT_VERSION = 1;

    private static final int MAGIC_OFFSET = 0;
    private static final int LAYOUT_VERSION_OFFSET = 8;
    private static final int LAST_APPLIED_SEQ_OFFSET = 16;
    private static final int LAST_COMMITTED_SEQ_OFFSET = 24;
    private static final int DATA_BYTES_OFFSET = 32;
    private static final int MAX_ENTRIES_OFFSET = 40;
    private static final int MAX_DATA_BYTES_OFFSET = 48;
    private static final int MAX_KEY_LENGTH_OFFSET = 56;
    private static final int MAX_VALUE_LENGTH_OFFSET = 60;
    private static final int AVERAGE_KEY_LENGTH_OFFSET = 64;
    private static final int AVERAGE_VALUE_LENGTH_OFFSET = 68;
    private static final int MAX_CLIENTS_OFFSET = 72;
    // Added after layout 1 was first written; older files hold 0 here, which means "nothing collected yet".
    private static final int TOMBSTONE_HORIZON_OFFSET = 80;
    // Also added later; 0 means "not yet adopted by a cluster".
    private static final int CLUSTER_ID_OFFSET = 88;
    // Also added later; 0 means "not known to hold a full member's history" (docs/healing.md, whole-cluster restart).
    private static final int MEMBER_EPOCH_OFFSET = 96;
    // Also added later (issue 15): the boot the store was last opened in (0, 0 in older files: unknown) and whether it
    // is open (OPEN from open until a close has forced every file; UNRECORDED in older files).
    private static final int BOOT_ID_HIGH_OFFSET = 104;
    private static final int BOOT_ID_LOW_OFFSET = 112;
    static final int OPEN_STATE_OFFSET = 120;

    static final int UNRECORDED = 0;
    static final int OPEN = 1;
    static final int CLOSED = 2;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;

    private StoreMetadata(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
    }

    /**
     * Creates the file and records the limits the maps are about to be sized with.
     */
    static StoreMetadata create(final File file, final StoreConfig config)
    {
        final StoreMetadata meta = new StoreMetadata(IoUtil.mapNewFile(file, LENGTH, true));
        final UnsafeBuffer b = meta.buffer;
        b.putLong(MAX_ENTRIES_OFFSET, config.maxEntries(), ORDER);
        b.putLong(MAX_DATA_BYTES_OFFSET, config.maxDataBytes(), ORDER);
        b.putInt(MAX_KEY_LENGTH_OFFSET, config.maxKeyLength(), ORDER);
        b.putInt(MAX_VALUE_LENGTH_OFFSET, config.maxValueLength(), ORDER);
        b.putInt(AVERAGE_KEY_LENGTH_OFFSET, config.averageKeyLength(), ORDER);
        b.putInt(AVERAGE_VALUE_LENGTH_OFFSET, config.averageValueLength(), ORDER);
        b.putInt(MAX_CLIENTS_OFFSET, config.maxClients(), ORDER);
        b.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION, ORDER);
        // The magic goes last so a file cut short by a crash during creation is recognisably unfinished.
        b.putLong(MAGIC_OFFSET, MAGIC, ORDER);
        meta.mapped.force();
        return meta;
    }

    /**
     * Opens an existing file and checks it was written for the same limits.
     *
     * @throws UntrustedStoreException if the file is not a store metadata file (damaged, or its creation unfinished).
     * @throws IllegalStateException   if the limits differ.
     */
    static StoreMetadata open(final File file, final StoreConfig config)
    {
        if (file.length() != LENGTH)
        {
            throw new UntrustedStoreException(file + " is " + file.length() + " bytes, expected " + LENGTH +
                ": not a ChainKV store metadata file, or damaged; move the data directory aside and rejoin the node");
        }
        final StoreMetadata meta = new StoreMetadata(IoUtil.mapExistingFile(file, "store metadata"));
        try
        {
            meta.check(file, config);
        }
        catch (final RuntimeException ex)
        {
            meta.close();
            throw ex;
        }
        return meta;
    }

    private void check(final File file, final StoreConfig config)
    {
        if (buffer.getLong(MAGIC_OFFSET, ORDER) != MAGIC || buffer.getInt(LAYOUT_VERSION_OFFSET, ORDER) != LAYOUT_VERSION)
        {
            throw new UntrustedStoreException(file + " is not a ChainKV store metadata file of layout " + LAYOUT_VERSION +
                " (unfinished creation or another format); move the data directory aside and rejoin the node");
        }
        final StringBuilder diff = new StringBuilder();
        compare(diff, "maxEntries", buffer.getLong(MAX_ENTRIES_OFFSET, ORDER), config.maxEntries());
        compare(diff, "maxDataBytes", buffer.getLong(MAX_DATA_BYTES_OFFSET, ORDER), config.maxDataBytes());
        compare(diff, "maxKeyLength", buffer.getInt(MAX_KEY_LENGTH_OFFSET, ORDER), config.maxKeyLength());
        compare(diff, "maxValueLength", buffer.getInt(MAX_VALUE_LENGTH_OFFSET, ORDER), config.maxValueLength());
        compare(diff, "averageKeyLength", buffer.getInt(AVERAGE_KEY_LENGTH_OFFSET, ORDER), config.averageKeyLength());
        compare(diff, "averageValueLength", buffer.getInt(AVERAGE_VALUE_LENGTH_OFFSET, ORDER), config.averageValueLength());
        compare(diff, "maxClients", buffer.getInt(MAX_CLIENTS_OFFSET, ORDER), config.maxClients());
        if (diff.length() > 0)
        {
            throw new IllegalStateException("the store in " + file.getParent() + " was created with other limits, which" +
                " sized its maps: " + diff + ". Open it with the limits it was created with, or move the directory" +
                " aside and let the node rejoin with a state transfer");
        }
    }

    private static void compare(final StringBuilder diff, final String name, final long stored, final long configured)
    {
        if (stored != configured)
        {
            diff.append(diff.length() == 0 ? "" : ", ").append(name).append(" was ").append(stored)
                .append(" now ").append(configured);
        }
    }

    long lastAppliedSeq()
    {
        return buffer.getLong(LAST_APPLIED_SEQ_OFFSET, ORDER);
    }

    void lastAppliedSeq(final long seq)
    {
        buffer.putLong(LAST_APPLIED_SEQ_OFFSET, seq, ORDER);
    }

    long lastCommittedSeq()
    {
        return buffer.getLong(LAST_COMMITTED_SEQ_OFFSET, ORDER);
    }

    void lastCommittedSeq(final long seq)
    {
        buffer.putLong(LAST_COMMITTED_SEQ_OFFSET, seq, ORDER);
    }

    long dataBytes()
    {
        return buffer.getLong(DATA_BYTES_OFFSET, ORDER);
    }

    void dataBytes(final long bytes)
    {
        buffer.putLong(DATA_BYTES_OFFSET, bytes, ORDER);
    }

    long tombstoneHorizon()
    {
        return buffer.getLong(TOMBSTONE_HORIZON_OFFSET, ORDER);
    }

    void tombstoneHorizon(final long seq)
    {
        buffer.putLong(TOMBSTONE_HORIZON_OFFSET, seq, ORDER);
    }

    long clusterId()
    {
        return buffer.getLong(CLUSTER_ID_OFFSET, ORDER);
    }

    void clusterId(final long clusterId)
    {
        buffer.putLong(CLUSTER_ID_OFFSET, clusterId, ORDER);
    }

    long memberEpoch()
    {
        return buffer.getLong(MEMBER_EPOCH_OFFSET, ORDER);
    }

    void memberEpoch(final long epoch)
    {
        buffer.putLong(MEMBER_EPOCH_OFFSET, epoch, ORDER);
    }

    BootId bootId()
    {
        return new BootId(buffer.getLong(BOOT_ID_HIGH_OFFSET, ORDER), buffer.getLong(BOOT_ID_LOW_OFFSET, ORDER));
    }

    /**
     * @return {@link #OPEN}, {@link #CLOSED}, or {@link #UNRECORDED} for a file last written before the state was kept.
     */
    int openState()
    {
        return buffer.getInt(OPEN_STATE_OFFSET, ORDER);
    }

    /**
     * Records that the store is open in this boot, and forces the page, before anything else in the store changes: from
     * here until {@link #markClosed()} is forced, a crash leaves a page that says the store was open in this boot.
     */
    void markOpen(final BootId boot)
    {
        buffer.putLong(BOOT_ID_HIGH_OFFSET, boot.high(), ORDER);
        buffer.putLong(BOOT_ID_LOW_OFFSET, boot.low(), ORDER);
        buffer.putInt(OPEN_STATE_OFFSET, OPEN, ORDER);
        mapped.force();
    }

    /**
     * Records that every other file of the store has been forced to disk; the caller forces this page after it.
     */
    void markClosed()
    {
        buffer.putInt(OPEN_STATE_OFFSET, CLOSED, ORDER);
    }

    void force()
    {
        mapped.force();
    }

    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
