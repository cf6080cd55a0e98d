package io.chainkv.node.store;

import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The node's persistent state: a Chronicle Map of key to (version, tombstone flag, value bytes), the exactly-once
 * {@link ClientTable}, and persisted counters (last applied and committed sequence numbers, data bytes).
 * <p>
 * <b>Threading:</b> one thread at a time (the replication agent); the scratch buffers that make the hot path
 * allocation-free are not shared safely. It may be opened on another thread than the one that uses it.
 * <p>
 * <b>Allocation:</b> {@link #read}, {@link #put}, {@link #delete} and {@link #hasRoomFor} allocate nothing once
 * warm: keys and values reach the map through native scratch memory (for writes, the mapped intent log) and
 * Chronicle's reused query contexts, and
 * reads copy into the caller's {@link StoredValue}, which grows (allocates) only when it meets a longer value
 * than before. {@link #forEach} and {@link #digest} allocate a few objects per call, not per entry.
 * <p>
 * <b>Capacity:</b> the map geometry comes from {@link StoreGeometry}, sized so that whatever {@link #hasRoomFor}
 * admits fits. {@code put}/{@code delete} do not refuse on capacity themselves: the head admits, every other node
 * applies what the head sequenced, and all of them hold the same state at that sequence.
 * <p>
 * <b>Durability and recovery:</b> the maps and counters are memory-mapped, so they survive kill -9 of the process
 * through the page cache, but not an OS crash or a power loss, which drop the pages not yet written back, each file's
 * independently. So a store is trusted only if it was closed cleanly ({@link #close()} forces the maps, then records
 * the close in the metadata, then writes a clean-shutdown marker) or if it was last opened in the machine's current
 * boot ({@link BootId}, recorded and forced at every open), when the page cache still holds whatever the process
 * wrote; a store missing a file is not trusted either. {@link #open} refuses any other
 * ({@link UntrustedStoreException}); {@link #openSettingAsideUntrusted} moves it aside and starts empty. When a trusted
 * store was not closed cleanly, the maps are opened with Chronicle's recovery (which frees segment locks a killed
 * process held), the write the process was killed in is redone from the {@link IntentLog} (Chronicle's recovery drops
 * a half-written entry, old value included), and the data byte total is recounted. After such a recovery the store
 * may hold the write of {@code lastAppliedSeq() + 1}: it was sequenced, and replaying it is idempotent.
 * <p>
 * Deleted keys stay as tombstones (counting towards {@code maxEntries}) until {@link #removeTombstones} collects
 * those below the {@link #tombstoneHorizon()}, which the node keeps below what every member has applied.
 */
public final class ChainStore implements AutoCloseable
{
    static final String ENTRIES_FILE_NAME = "entries.cm3";
    static final String CLIENTS_FILE_NAME = ClientTable.FILE_NAME;
    static final String CLEAN_SHUTDOWN_FILE_NAME = "clean-shutdown";
    static final String LOCK_FILE_NAME = "store.lock";
    static final String SET_ASIDE_PREFIX = "untrusted-";
    /**
     * An operator who places a file of this name in a data directory makes the next open trust a store that was not
     * closed cleanly in another boot (never one missing a file); the open deletes it.
     */
    public static final String OPERATOR_TRUST_FILE_NAME = "trust-unclean-store";
    // Every file a store may have, the lock file excepted.
    private static final String[] STORE_FILE_NAMES = {ENTRIES_FILE_NAME, CLIENTS_FILE_NAME, ClientTable.LEGACY_FILE_NAME,
        ClientTable.LEGACY_FILE_NAME + ".migrated", StoreMetadata.FILE_NAME, IntentLog.FILE_NAME, CLEAN_SHUTDOWN_FILE_NAME};
    private static final DateTimeFormatter SET_ASIDE_STAMP =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private static final Logger LOG = LoggerFactory.getLogger(ChainStore.class);
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int VERSION_OFFSET = 0;
    private static final int FLAGS_OFFSET = 8;
    private static final int VALUE_OFFSET = StoreGeometry.VALUE_HEADER_LENGTH;
    private static final byte TOMBSTONE_FLAG = 1;
    private static final LongHashFunction DIGEST_HASH = LongHashFunction.xx_r39();

    private final StoreConfig config;
    private final StoreGeometry geometry;
    private final Path dataDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final StoreMetadata metadata;
    private final IntentLog intentLog;
    private final ChronicleMap<byte[], byte[]> entries;
    private final ClientTable clients;
    private final boolean recoveredFromUncleanShutdown;
    private final Path setAsideTo;
    private final NativeScratch keyScratch;
    private final UnsafeBuffer entryView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer versionView = new UnsafeBuffer(0, 0);
    private boolean closed;
    // Counted here because Chronicle's longSize() walks every segment: too slow for every admission check.
    private long entryCount;
    private boolean checkedWriteFits;

    private ChainStore(
        final StoreConfig config,
        final StoreGeometry geometry,
        final FileChannel lockChannel,
        final FileLock lock,
        final StoreMetadata metadata,
        final IntentLog intentLog,
        final ChronicleMap<byte[], byte[]> entries,
        final ClientTable clients,
        final boolean recoveredFromUncleanShutdown,
        final Path setAsideTo)
    {
        this.config = config;
        this.geometry = geometry;
        this.dataDir = config.dataDir();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.metadata = metadata;
        this.intentLog = intentLog;
        this.entries = entries;
        this.clients = clients;
        this.recoveredFromUncleanShutdown = recoveredFromUncleanShutdown;
        this.setAsideTo = setAsideTo;
        this.keyScratch = NativeScratch.allocate(config.maxKeyLength());
    }

    /**
     * Creates the store in {@code config.dataDir()}, or reopens the one there.
     * <p>
     * A store is reopened with the limits it was created with (they sized its maps); other limits are refused
     * with a message saying which. If the previous process did not close the store (kill -9, crash), the maps are
     * recovered first, which takes seconds for large stores, and a warning is logged. A store this open cannot vouch
     * for is refused (see {@link UntrustedStoreException}).
     *
     * @param config settings, validated here.
     * @return the open store; only one process may have a data directory open at a time.
     * @throws UntrustedStoreException if a file of the store is missing or damaged, or it was not closed cleanly in
     *                                 an earlier boot of the machine.
     * @throws IllegalStateException   if the directory is in use, or holds a store of other limits.
     * @throws UncheckedIOException    if the files cannot be created or read.
     */
    public static ChainStore open(final StoreConfig config)
    {
        return open(config, false);
    }

    /**
     * As {@link #open(StoreConfig)}, except that a store it cannot vouch for is moved aside, whole, into a directory
     * {@code untrusted-<time>} inside the data directory, the reason is logged, and a new empty store is created in its
     * place: the node then rejoins by a full state transfer, and never serves or acknowledges from what it cannot
     * vouch for. Nothing is deleted, so the last copy of a chain's data is never lost (docs/store.md).
     *
     * @param config settings, validated here.
     * @return the open store; {@link #setAsideTo()} says where an untrusted one went.
     */
    public static ChainStore openSettingAsideUntrusted(final StoreConfig config)
    {
        return open(config, true);
    }

    private static ChainStore open(final StoreConfig config, final boolean setAsideUntrusted)
    {
        config.validate();
        final long startNs = System.nanoTime();
        final Path dir = config.dataDir();
        final BootId boot = config.bootId();
        FileChannel lockChannel = null;
        FileLock lock = null;
        StoreMetadata metadata = null;
        IntentLog intentLog = null;
        ChronicleMap<byte[], byte[]> entries = null;
        ClientTable clients = null;
        try
        {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(
                dir.resolve(LOCK_FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = tryLock(lockChannel, dir);

            final File entriesFile = dir.resolve(ENTRIES_FILE_NAME).toFile();
            final File clientsFile = dir.resolve(CLIENTS_FILE_NAME).toFile();
            final File metaFile = dir.resolve(StoreMetadata.FILE_NAME).toFile();
            final Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE_NAME);

            Path setAsideTo = null;
            try
            {
                // Checked before anything changes, so a refused open (other limits) leaves a clean store clean.
                metadata = vouchFor(dir, config, boot);
            }
            catch (final UntrustedStoreException ex)
            {
                if (!setAsideUntrusted)
                {
                    throw ex;
                }
                setAsideTo = setAside(dir, ex);
            }
            final boolean existing = null != metadata;
            final boolean unclean = existing && !(Files.exists(marker) && StoreMetadata.OPEN != metadata.openState());
            if (!existing)
            {
                metadata = StoreMetadata.create(metaFile, config);
            }

            // From here until close() has forced every file, a crash must leave a store that says it was open in this
            // boot: the page first (it does not depend on the directory's sync), then the marker goes.
            metadata.markOpen(boot);
            Files.deleteIfExists(marker);
            // One open only: from here the store is this boot's, and a later crash is judged afresh.
            Files.deleteIfExists(dir.resolve(OPERATOR_TRUST_FILE_NAME));
            syncDirectory(dir, config.diskSync());
            intentLog = new IntentLog(dir.resolve(IntentLog.FILE_NAME).toFile(), config.maxKeyLength(),
                StoreGeometry.VALUE_HEADER_LENGTH + config.maxValueLength());
            if (unclean)
            {
                LOG.warn("store in {} was not closed cleanly (process killed or crashed): recovering its maps", dir);
            }

            final StoreGeometry geometry = new StoreGeometry(config);
            final ChronicleMapBuilder<byte[], byte[]> builder = geometry.applyTo(
                ChronicleMapBuilder.of(byte[].class, byte[].class)
                    .name("chainkv-entries")
                    .averageKeySize(config.averageKeyLength())
                    .averageValueSize(StoreGeometry.VALUE_HEADER_LENGTH + config.averageValueLength()),
                config.maxEntries());
            entries = openMap(builder, entriesFile, unclean);
            clients = ClientTable.open(clientsFile, config.maxClients(), unclean, intentLog);

            final ChainStore store = new ChainStore(
                config, geometry, lockChannel, lock, metadata, intentLog, entries, clients, unclean, setAsideTo);
            store.finishInterruptedWrites(unclean);
            store.entryCount = entries.longSize();
            if (unclean)
            {
                final long recountStartNs = System.nanoTime();
                final long counted = store.countDataBytes();
                if (counted != metadata.dataBytes())
                {
                    LOG.warn("store in {}: data bytes recounted as {} (counter said {})", dir, counted, metadata.dataBytes());
                }
                metadata.dataBytes(counted);
                LOG.warn("store in {} recovered in {} ms (recount {} ms): {} entries, {} data bytes, lastApplied={}" +
                    " lastCommitted={}", dir, (System.nanoTime() - startNs) / 1_000_000,
                    (System.nanoTime() - recountStartNs) / 1_000_000, store.entryCount(), counted,
                    metadata.lastAppliedSeq(), metadata.lastCommittedSeq());
            }
            else
            {
                LOG.info("store in {} opened in {} ms: {} entries, {} data bytes, lastApplied={} lastCommitted={}; {}",
                    dir, (System.nanoTime() - startNs) / 1_000_000, store.entryCount(), metadata.dataBytes(),
                    metadata.lastAppliedSeq(), metadata.lastCommittedSeq(), geometry);
            }
            return store;
        }
        catch (final IOException ex)
        {
            closeQuietly(clients, entries, intentLog, metadata, lock, lockChannel);
            throw new UncheckedIOException("cannot open store in " + dir + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException | Error ex)
        {
            closeQuietly(clients, entries, intentLog, metadata, lock, lockChannel);
            throw ex;
        }
    }

    /**
     * Decides whether the files in the directory make a store this process can vouch for, without changing any.
     *
     * @return the store's open metadata, or null if the directory holds no store.
     * @throws UntrustedStoreException saying why the store cannot be trusted.
     */
    private static StoreMetadata vouchFor(final Path dir, final StoreConfig config, final BootId boot)
    {
        final File metaFile = dir.resolve(StoreMetadata.FILE_NAME).toFile();
        final boolean hasEntries = Files.exists(dir.resolve(ENTRIES_FILE_NAME));
        // A store of an earlier version keeps its table in the legacy map, migrated on open.
        final boolean hasClients = Files.exists(dir.resolve(CLIENTS_FILE_NAME)) ||
            Files.exists(dir.resolve(ClientTable.LEGACY_FILE_NAME));
        if (!metaFile.exists())
        {
            if (hasEntries || hasClients)
            {
                throw new UntrustedStoreException("the store in " + dir + " has its maps but no " +
                    StoreMetadata.FILE_NAME + ", so its sequence numbers are unknown and it cannot be trusted");
            }
            return null;
        }

        final StoreMetadata metadata = StoreMetadata.open(metaFile, config);
        try
        {
            if (!hasEntries || !hasClients)
            {
                // Creating the missing map empty would leave a store that claims writes it does not hold: a delta
                // rejoin would never fetch them (docs/design.md, invariant 8).
                throw new UntrustedStoreException("the store in " + dir + " has its " + StoreMetadata.FILE_NAME +
                    " (last applied seq " + metadata.lastAppliedSeq() + ", last committed seq " +
                    metadata.lastCommittedSeq() + ") but its " + (hasEntries ? "" : ENTRIES_FILE_NAME) +
                    (hasEntries || hasClients ? "" : " and ") + (hasClients ? "" : CLIENTS_FILE_NAME) +
                    (hasEntries || hasClients ? " is" : " are") + " missing," +
                    " so it cannot hold what its metadata claims and cannot be trusted");
            }
            final boolean clean = Files.exists(dir.resolve(CLEAN_SHUTDOWN_FILE_NAME)) &&
                StoreMetadata.OPEN != metadata.openState();
            if (!clean)
            {
                final BootId recorded = metadata.bootId();
                if (!boot.sameBootAs(recorded) && Files.exists(dir.resolve(OPERATOR_TRUST_FILE_NAME)))
                {
                    // The way back after every member of a chain lost power at once: without it the chain has no
                    // store left to re-form from. The operator accepts what the OS may have lost (docs/failures.md).
                    LOG.warn("store in {} was not closed cleanly and was last opened in boot {} (now {}); trusted" +
                        " because the operator placed {}: it may lack writes its metadata claims (last applied seq {})",
                        dir, recorded, boot, OPERATOR_TRUST_FILE_NAME, metadata.lastAppliedSeq());
                }
                else if (!boot.sameBootAs(recorded))
                {
                    throw new UntrustedStoreException("the store in " + dir + " was not closed cleanly and was last" +
                        " opened " + (recorded.isKnown() ? "in boot " + recorded : "by a version that recorded no boot") +
                        ", while this process runs in " + (boot.isKnown() ? "boot " + boot : "a boot it cannot name (no " +
                        BootId.LINUX_FILE + ")") + ": if the machine went down meanwhile, pages the kernel had not" +
                        " written back are lost, so its maps may lack writes its metadata claims (last applied seq " +
                        metadata.lastAppliedSeq() + ") and it cannot be trusted");
                }
                if (!Files.exists(dir.resolve(IntentLog.FILE_NAME)))
                {
                    throw new UntrustedStoreException("the store in " + dir + " was not closed cleanly and its " +
                        IntentLog.FILE_NAME + " is missing, so the write the previous process was killed in cannot be" +
                        " redone and the store cannot be trusted");
                }
            }
            return metadata;
        }
        catch (final RuntimeException ex)
        {
            metadata.close();
            throw ex;
        }
    }

    /**
     * Moves every file of an untrusted store (the lock file stays, held) into a new directory beside them.
     *
     * @return where they went.
     */
    private static Path setAside(final Path dir, final UntrustedStoreException reason) throws IOException
    {
        final String stamp = SET_ASIDE_STAMP.format(Instant.now());
        Path target = dir.resolve(SET_ASIDE_PREFIX + stamp);
        for (int i = 2; Files.exists(target); i++)
        {
            target = dir.resolve(SET_ASIDE_PREFIX + stamp + "-" + i);
        }
        Files.createDirectory(target);
        for (final String name : STORE_FILE_NAMES)
        {
            final Path file = dir.resolve(name);
            if (Files.exists(file))
            {
                Files.move(file, target.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        syncDirectory(target);
        syncDirectory(dir);
        LOG.error("{}. Its files were moved to {} and the node starts with an empty store, so it rejoins by a full" +
            " state transfer; delete that directory once the chain is healthy again (if every member of the chain set" +
            " its store aside, see docs/failures.md, \"The machine restarts\")", reason.getMessage(), target);
        return target;
    }

    static <K, V> ChronicleMap<K, V> openMap(
        final ChronicleMapBuilder<K, V> builder, final File file, final boolean recover) throws IOException
    {
        if (recover && file.exists())
        {
            // Same builder config as at creation (the metadata check guarantees the same limits), so recovery may
            // rewrite the header from it if the crash damaged it.
            return builder.recoverPersistedTo(file, true);
        }
        return builder.createPersistedTo(file);
    }

    private static FileLock tryLock(final FileChannel channel, final Path dir) throws IOException
    {
        FileLock lock = null;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            // Held by this JVM: fall through to the same refusal.
        }
        if (null == lock)
        {
            throw new IllegalStateException("store in " + dir + " is open in another process or in this one;" +
                " one node per data directory");
        }
        return lock;
    }

    private void finishInterruptedWrites(final boolean unclean)
    {
        if (intentLog.entryWritePending())
        {
            final int keyLength = intentLog.keyLength();
            final int valueLength = intentLog.storedValueLength() - VALUE_OFFSET;
            final long version = intentLog.storedValue().buffer().getLong(VERSION_OFFSET, ORDER);
            if (unclean)
            {
                LOG.warn("store in {}: redoing the write of version {} the previous process was killed in", dataDir, version);
                applyIntendedWrite(keyLength, valueLength, null);
            }
            else
            {
                LOG.warn("store in {}: ignoring a pending write of version {} after a clean close", dataDir, version);
            }
            intentLog.endEntryWrite();
        }
        clients.finishInterruptedRecord(unclean);
    }

    /**
     * @return true if the previous process did not close the store and it was recovered on this open.
     */
    public boolean recoveredFromUncleanShutdown()
    {
        return recoveredFromUncleanShutdown;
    }

    /**
     * @return where {@link #openSettingAsideUntrusted} moved the untrusted store it found, or null if it found none.
     */
    public Path setAsideTo()
    {
        return setAsideTo;
    }

    /**
     * Reads the entry of a key into {@code into}.
     *
     * @return false if the key was never written; a deleted key returns true with {@code into.isTombstone()}.
     */
    public boolean read(final DirectBuffer key, final int keyOffset, final int keyLength, final StoredValue into)
    {
        checkKeyLength(keyLength);
        keyScratch.buffer().putBytes(0, key, keyOffset, keyLength);
        try (ExternalMapQueryContext<byte[], byte[], ?> context =
            entries.queryContext(keyScratch.data(keyLength)))
        {
            context.readLock().lock();
            final MapEntry<byte[], byte[]> entry = context.entry();
            if (null == entry)
            {
                return false;
            }
            final UnsafeBuffer stored = wrapEntry(entry.value());
            final int valueLength = stored.capacity() - VALUE_OFFSET;
            into.set(
                stored.getLong(VERSION_OFFSET, ORDER),
                (stored.getByte(FLAGS_OFFSET) & TOMBSTONE_FLAG) != 0,
                stored, VALUE_OFFSET, valueLength);
            return true;
        }
    }

    /**
     * Stores a value with its version, replacing what the key holds unless that is of the same or a newer version
     * (a newer version always wins, so replay of a fuzzy snapshot and the update stream converges).
     *
     * @throws IllegalArgumentException if the key is empty or the key or value is longer than the configured maximum.
     */
    public void put(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final long version,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        put(key, keyOffset, keyLength, version, value, valueOffset, valueLength, null);
    }

    /**
     * Like {@link #put(DirectBuffer, int, int, long, DirectBuffer, int, int)}, and copies the entry it replaces into
     * {@code replaced}, in the same map query (CRAQ keeps a key's clean version when a dirty one replaces it).
     *
     * @param replaced where to copy the replaced entry, or null.
     * @return true if the key held an entry (copied into {@code replaced} when given), false if it held none.
     */
    public boolean put(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final long version,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final StoredValue replaced)
    {
        checkValueLength(valueLength);
        final UnsafeBuffer scratch = intentLog.storedValue().buffer();
        scratch.putLong(VERSION_OFFSET, version, ORDER);
        scratch.putByte(FLAGS_OFFSET, (byte)0);
        if (valueLength > 0)
        {
            scratch.putBytes(VALUE_OFFSET, value, valueOffset, valueLength);
        }
        return store(key, keyOffset, keyLength, valueLength, replaced);
    }

    /**
     * Replaces what the key holds by a tombstone carrying the version, so the delete can be replicated and
     * transferred like any write. Deleting a key never written stores a tombstone too. Like {@link #put}, an entry
     * of the same or a newer version is kept.
     *
     * @throws IllegalArgumentException if the key is empty or longer than the configured maximum.
     */
    public void delete(final DirectBuffer key, final int keyOffset, final int keyLength, final long version)
    {
        delete(key, keyOffset, keyLength, version, null);
    }

    /**
     * Like {@link #delete(DirectBuffer, int, int, long)}, and copies the entry it replaces into {@code replaced}.
     *
     * @param replaced where to copy the replaced entry, or null.
     * @return true if the key held an entry, false if it held none.
     */
    public boolean delete(
        final DirectBuffer key, final int keyOffset, final int keyLength, final long version, final StoredValue replaced)
    {
        final UnsafeBuffer scratch = intentLog.storedValue().buffer();
        scratch.putLong(VERSION_OFFSET, version, ORDER);
        scratch.putByte(FLAGS_OFFSET, TOMBSTONE_FLAG);
        return store(key, keyOffset, keyLength, 0, replaced);
    }

    private boolean store(
        final DirectBuffer key, final int keyOffset, final int keyLength, final int valueLength, final StoredValue replaced)
    {
        checkKeyLength(keyLength);
        intentLog.key().buffer().putBytes(0, key, keyOffset, keyLength);
        intentLog.beginEntryWrite(keyLength, VALUE_OFFSET + valueLength);
        try
        {
            return applyIntendedWrite(keyLength, valueLength, replaced);
        }
        finally
        {
            // Also after a failure: the write did not happen and must not be redone by a later recovery.
            intentLog.endEntryWrite();
        }
    }

    private boolean applyIntendedWrite(final int keyLength, final int valueLength, final StoredValue replaced)
    {
        final boolean existed;
        long dataBytesDelta = (long)keyLength + valueLength;
        try (ExternalMapQueryContext<byte[], byte[], ?> context =
            entries.queryContext(intentLog.key().data(keyLength)))
        {
            context.updateLock().lock();
            final Data<byte[]> newValue = intentLog.storedValue().data(VALUE_OFFSET + valueLength);
            final MapEntry<byte[], byte[]> entry = context.entry();
            existed = null != entry;
            if (existed)
            {
                if (null != replaced)
                {
                    final UnsafeBuffer stored = wrapEntry(entry.value());
                    replaced.set(
                        stored.getLong(VERSION_OFFSET, ORDER),
                        (stored.getByte(FLAGS_OFFSET) & TOMBSTONE_FLAG) != 0,
                        stored, VALUE_OFFSET, stored.capacity() - VALUE_OFFSET);
                }
                if (versionOf(entry.value()) >= intentLog.storedValue().buffer().getLong(VERSION_OFFSET, ORDER))
                {
                    // A newer version always wins: a joiner meets the same key in the snapshot and in the live
                    // stream in either order, and a redone write may already be there.
                    return true;
                }
                dataBytesDelta -= keyLength + (entry.value().size() - VALUE_OFFSET);
                context.replaceValue(entry, newValue);
            }
            else
            {
                context.insert(context.absentEntry(), newValue);
                entryCount++;
            }
        }
        metadata.dataBytes(metadata.dataBytes() + dataBytesDelta);
        return existed;
    }

    /**
     * Admission check the head makes before sequencing a write: would storing a value of this length under this key
     * (replacing what the key holds now) stay within {@code maxEntries} and {@code maxDataBytes}? A delete is a
     * value of length 0. A write that would fit even as a new key is admitted without a map query, so a head far
     * from the limits pays nothing for the check of a put (a put, unlike a delete or CAS, needs no current version).
     *
     * @return false also when the key is empty or the key or value is longer than the configured maximum.
     */
    public boolean hasRoomFor(final DirectBuffer key, final int keyOffset, final int keyLength, final int valueLength)
    {
        // No stored version reaches Long.MAX_VALUE, so the versioned check never takes its "changes nothing" way out.
        return hasRoomFor(key, keyOffset, keyLength, valueLength, Long.MAX_VALUE);
    }

    /**
     * {@link #hasRoomFor} for a versioned write that may lose to what the key holds, as a joiner applies them: also
     * true when the key already holds this or a newer version, since the write then changes nothing (a fuzzy
     * snapshot and the live stream bring older versions of keys the joiner already holds). A write that would fit
     * even as a new key of full size is admitted without a map query, so a transfer far from the limits pays
     * nothing for the check.
     *
     * @param version the write's version.
     * @return whether {@link #put} (or, for a value length of 0, {@link #delete}) of it stays within the limits.
     */
    public boolean hasRoomFor(
        final DirectBuffer key, final int keyOffset, final int keyLength, final int valueLength, final long version)
    {
        if (keyLength < 1 || keyLength > config.maxKeyLength() || valueLength < 0 || valueLength > config.maxValueLength())
        {
            return false;
        }
        long newDataBytes = metadata.dataBytes() + keyLength + valueLength;
        long newEntries = entryCount + 1;
        if (newEntries <= config.maxEntries() && newDataBytes <= config.maxDataBytes())
        {
            return true;
        }
        keyScratch.buffer().putBytes(0, key, keyOffset, keyLength);
        try (ExternalMapQueryContext<byte[], byte[], ?> context =
            entries.queryContext(keyScratch.data(keyLength)))
        {
            context.readLock().lock();
            final MapEntry<byte[], byte[]> entry = context.entry();
            if (null != entry)
            {
                if (versionOf(entry.value()) >= version)
                {
                    return true;
                }
                newDataBytes -= keyLength + (entry.value().size() - VALUE_OFFSET);
                newEntries--;
            }
        }
        return newEntries <= config.maxEntries() && newDataBytes <= config.maxDataBytes();
    }

    /**
     * What the head needs to know before sequencing a write, in one map query instead of a {@link #read} and a
     * {@link #hasRoomFor}: the key's live version, and (read back with {@link #checkedWriteFits()}) whether storing a
     * value of {@code valueLength} bytes under it would stay within the limits. Copies no value bytes.
     *
     * @param valueLength length of the value the write would store; 0 for a delete.
     * @return the key's version, or 0 if it is absent or deleted.
     */
    public long checkWrite(final DirectBuffer key, final int keyOffset, final int keyLength, final int valueLength)
    {
        checkKeyLength(keyLength);
        keyScratch.buffer().putBytes(0, key, keyOffset, keyLength);
        long newDataBytes = metadata.dataBytes() + keyLength + valueLength;
        long newEntries = entryCount + 1;
        long liveVersion = 0;
        try (ExternalMapQueryContext<byte[], byte[], ?> context =
            entries.queryContext(keyScratch.data(keyLength)))
        {
            context.readLock().lock();
            final MapEntry<byte[], byte[]> entry = context.entry();
            if (null != entry)
            {
                final UnsafeBuffer stored = wrapEntry(entry.value());
                if ((stored.getByte(FLAGS_OFFSET) & TOMBSTONE_FLAG) == 0)
                {
                    liveVersion = stored.getLong(VERSION_OFFSET, ORDER);
                }
                newDataBytes -= keyLength + (stored.capacity() - VALUE_OFFSET);
                newEntries--;
            }
        }
        checkedWriteFits = valueLength >= 0 && valueLength <= config.maxValueLength() &&
            newEntries <= config.maxEntries() && newDataBytes <= config.maxDataBytes();
        return liveVersion;
    }

    /**
     * @return whether the write last passed to {@link #checkWrite} fits: the same answer {@link #hasRoomFor} gives.
     */
    public boolean checkedWriteFits()
    {
        return checkedWriteFits;
    }

    /**
     * @return keys held, live and tombstones.
     */
    public long entryCount()
    {
        return entryCount;
    }

    /**
     * @return sum of key and value bytes held (a tombstone counts its key).
     */
    public long dataBytes()
    {
        return metadata.dataBytes();
    }

    public StoreConfig config()
    {
        return config;
    }

    public long lastAppliedSeq()
    {
        return metadata.lastAppliedSeq();
    }

    /**
     * @param seq the last sequence number applied to this store; persisted (survives kill -9).
     */
    public void lastAppliedSeq(final long seq)
    {
        metadata.lastAppliedSeq(seq);
    }

    public long lastCommittedSeq()
    {
        return metadata.lastCommittedSeq();
    }

    /**
     * @param seq the last sequence number known committed (reached the tail); persisted (survives kill -9).
     */
    public void lastCommittedSeq(final long seq)
    {
        metadata.lastCommittedSeq(seq);
    }

    /**
     * @return the exactly-once table, persisted in the same data directory.
     */
    public ClientTable clients()
    {
        return clients;
    }

    /**
     * Order-independent digest of the live entries (key, version, value bytes; tombstones are left out): stores with
     * equal contents give equal digests whatever order they were written in. For comparing replicas in tests and checks,
     * not for security.
     */
    public long digest()
    {
        final long[] sum = new long[1];
        entries.forEachEntry(entry ->
        {
            if ((wrapEntry(entry.value()).getByte(FLAGS_OFFSET) & TOMBSTONE_FLAG) != 0)
            {
                // Tombstones are collected at each node's own pace; a deleted key reads the same either way.
                return;
            }
            // The stored value is the canonical encoding of version, flag and bytes, so hashing it covers all three.
            final long keyHash = entry.key().hash(DIGEST_HASH);
            final long valueHash = entry.value().hash(DIGEST_HASH);
            sum[0] += mix(keyHash * 0x9E37_79B9_7F4A_7C15L + valueHash);
        });
        return sum[0];
    }

    /**
     * Visits every entry, e.g. to check a replica. The visitor sees views valid only during its call, in no
     * particular order, and must not write to the store. Entries written meanwhile by another thread may or may not
     * be seen (a fuzzy snapshot, which replay by version repairs).
     */
    public void forEach(final EntryVisitor visitor)
    {
        entries.forEachEntry(entry -> visit(entry, visitor));
    }

    /**
     * @return how many segments the entry map has; {@link #forEachInSegment} walks one at a time.
     */
    public int segmentCount()
    {
        return entries.segments();
    }

    /**
     * Visits the entries of one segment of the entry map, holding only that segment's lock, so a state transfer or
     * a tombstone collection can walk the store a segment per duty cycle instead of stalling the data path.
     *
     * @param segment from 0 to {@link #segmentCount()} - 1.
     * @param visitor sees views valid only during its call; must not write to the store.
     */
    public void forEachInSegment(final int segment, final EntryVisitor visitor)
    {
        try (MapSegmentContext<byte[], byte[], ?> context = entries.segmentContext(segment))
        {
            context.forEachSegmentEntry(entry -> visit(entry, visitor));
        }
    }

    private void visit(final MapEntry<byte[], byte[]> entry, final EntryVisitor visitor)
    {
        final Data<byte[]> keyData = entry.key();
        final int keyLength = (int)keyData.size();
        keyView.wrap(address(keyData), keyLength);
        final UnsafeBuffer stored = wrapEntry(entry.value());
        final int valueLength = stored.capacity() - VALUE_OFFSET;
        final boolean tombstone = (stored.getByte(FLAGS_OFFSET) & TOMBSTONE_FLAG) != 0;
        final long version = stored.getLong(VERSION_OFFSET, ORDER);
        stored.wrap(stored.addressOffset() + VALUE_OFFSET, valueLength);
        visitor.onEntry(keyView, keyLength, version, tombstone, stored, valueLength);
    }

    /**
     * Removes a key and whatever it holds, leaving no tombstone: for a rejoining node dropping an entry that may
     * never have been committed, before it fetches the key again from the tail.
     *
     * @return true if the key was there.
     */
    public boolean remove(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        checkKeyLength(keyLength);
        keyScratch.buffer().putBytes(0, key, keyOffset, keyLength);
        try (ExternalMapQueryContext<byte[], byte[], ?> context =
            entries.queryContext(keyScratch.data(keyLength)))
        {
            context.updateLock().lock();
            final MapEntry<byte[], byte[]> entry = context.entry();
            if (null == entry)
            {
                return false;
            }
            final long bytes = keyLength + entry.value().size() - VALUE_OFFSET;
            context.remove(entry);
            entryCount--;
            metadata.dataBytes(metadata.dataBytes() - bytes);
            return true;
        }
    }

    /**
     * Removes the tombstones of one segment whose version is at or below the horizon. Call
     * {@link #tombstoneHorizon(long)} with the horizon before the first segment of a pass, so a rejoining node that
     * is older than any tombstone already removed is always told to take a full transfer.
     *
     * @return how many tombstones were removed.
     */
    public int removeTombstones(final int segment, final long horizon)
    {
        if (horizon > metadata.tombstoneHorizon())
        {
            throw new IllegalStateException("raise the tombstone horizon to " + horizon + " before collecting up to it");
        }
        final int[] removed = new int[1];
        final long[] bytes = new long[1];
        try (MapSegmentContext<byte[], byte[], ?> context = entries.segmentContext(segment))
        {
            context.forEachSegmentEntry(entry ->
            {
                final UnsafeBuffer stored = wrapEntry(entry.value());
                if ((stored.getByte(FLAGS_OFFSET) & TOMBSTONE_FLAG) != 0 && stored.getLong(VERSION_OFFSET, ORDER) <= horizon)
                {
                    bytes[0] += entry.key().size();
                    entry.doRemove();
                    removed[0]++;
                }
            });
        }
        entryCount -= removed[0];
        metadata.dataBytes(metadata.dataBytes() - bytes[0]);
        return removed[0];
    }

    /**
     * @return the highest version of tombstones that may have been removed: a node that has not applied everything
     * up to here cannot catch up by a delta, as it would miss those deletes.
     */
    public long tombstoneHorizon()
    {
        return metadata.tombstoneHorizon();
    }

    /**
     * @return the id of the cluster whose data this store holds ({@code ChainConfig.clusterIdOf}), or 0 if no cluster
     * has adopted it yet (a new store, or one restored from a backup).
     */
    public long clusterId()
    {
        return metadata.clusterId();
    }

    /**
     * Records which cluster's data this store holds, or forgets it (0), persisted. A node refuses to serve a cluster
     * with a store of another: its history is not that cluster's, and a rejoin would trust it.
     *
     * @param clusterId a cluster id, or 0.
     */
    public void clusterId(final long clusterId)
    {
        metadata.clusterId(clusterId);
    }

    /**
     * @return the last chain epoch in which this store was a full member's, holding every write the chain acknowledged
     * (not a joiner's, not a provisional tail's, not a member's that lacks updates); 0 if none. After every member of a
     * chain went down, the master re-forms it from a restarted member whose store says so.
     */
    public long memberEpoch()
    {
        return metadata.memberEpoch();
    }

    /**
     * @param epoch the chain epoch in which this store is a full member's, or 0 when it is not (persisted).
     */
    public void memberEpoch(final long epoch)
    {
        if (metadata.memberEpoch() != epoch)
        {
            metadata.memberEpoch(epoch);
        }
    }

    /**
     * @param seq new tombstone horizon, persisted; never lowered.
     */
    public void tombstoneHorizon(final long seq)
    {
        if (seq > metadata.tombstoneHorizon())
        {
            metadata.tombstoneHorizon(seq);
        }
    }

    /**
     * Empties the store (entries, exactly-once table, sequence numbers, tombstone horizon) before a full state
     * transfer. The sequence numbers go first, so a crash half way leaves a store that knows it holds nothing
     * committed. The horizon is 0 only until the transfer's end, which raises it to the source's: the entries that
     * arrive lack whatever the source collected.
     */
    public void clear()
    {
        metadata.memberEpoch(0);
        metadata.lastCommittedSeq(0);
        metadata.lastAppliedSeq(0);
        entries.clear();
        clients.clear();
        entryCount = 0;
        metadata.dataBytes(0);
        metadata.tombstoneHorizon(0);
        LOG.info("store in {} cleared for a full state transfer", dataDir);
    }

    /**
     * Closes the maps, forces every file to disk, then records the close in the metadata and forces it, and only then
     * writes the clean-shutdown marker: a store with the marker and a closed metadata page holds on disk all its
     * metadata claims, whatever happens to the machine afterwards, so the next open trusts it in any boot and skips
     * recovery. A file that cannot be forced leaves no marker (the next open then treats the store as not closed
     * cleanly). Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final DiskSync disk = config.diskSync();
        boolean flushed = false;
        try
        {
            intentLog.force();
            entries.close();
            clients.close();
            // The kernel writes a mapped file's pages back in any order and independently of the metadata page, so the
            // maps must be on disk before the page that says "closed" is (docs/store.md, "Which stores a node trusts").
            disk.force(dataDir.resolve(ENTRIES_FILE_NAME));
            disk.force(dataDir.resolve(CLIENTS_FILE_NAME));
            disk.force(dataDir.resolve(IntentLog.FILE_NAME));
            metadata.markClosed();
            metadata.force();
            disk.force(dataDir.resolve(StoreMetadata.FILE_NAME));
            flushed = true;
        }
        catch (final IOException ex)
        {
            LOG.warn("store in {}: cannot force its files to disk; the next open will not count it as closed cleanly",
                dataDir, ex);
        }
        finally
        {
            CloseHelper.closeAll(metadata, intentLog, keyScratch);
            try
            {
                if (flushed)
                {
                    Files.write(dataDir.resolve(CLEAN_SHUTDOWN_FILE_NAME), new byte[0]);
                    syncDirectory(dataDir, disk);
                }
            }
            catch (final IOException ex)
            {
                LOG.warn("store in {}: cannot write the clean-shutdown marker; the next open will recover", dataDir, ex);
            }
            finally
            {
                closeQuietly(lock, lockChannel);
                LOG.info("store in {} closed{}", dataDir, flushed ? "" : " without its marker (close failed)");
            }
        }
    }

    /**
     * For tests and operators: how the entry map was sized.
     */
    String geometry()
    {
        return geometry.toString();
    }

    private long countDataBytes()
    {
        final long[] sum = new long[1];
        entries.forEachEntry(entry -> sum[0] += entry.key().size() + entry.value().size() - VALUE_OFFSET);
        return sum[0];
    }

    private long versionOf(final Data<byte[]> value)
    {
        versionView.wrap(address(value), VALUE_OFFSET);
        return versionView.getLong(VERSION_OFFSET, ORDER);
    }

    private UnsafeBuffer wrapEntry(final Data<byte[]> value)
    {
        entryView.wrap(address(value), (int)value.size());
        return entryView;
    }

    private static long address(final Data<?> data)
    {
        // Entries live in the memory-mapped file, so their bytes are always native memory with an address.
        final RandomDataInput bytes = data.bytes();
        return bytes.addressForRead(data.offset());
    }

    private void checkKeyLength(final int keyLength)
    {
        if (keyLength < 1 || keyLength > config.maxKeyLength())
        {
            throw new IllegalArgumentException("key length " + keyLength + " is outside 1.." + config.maxKeyLength());
        }
    }

    private void checkValueLength(final int valueLength)
    {
        if (valueLength < 0 || valueLength > config.maxValueLength())
        {
            throw new IllegalArgumentException("value length " + valueLength + " is outside 0.." + config.maxValueLength());
        }
    }

    /**
     * MurmurHash3's fmix64, the mixer of every digest of replicated state (the store's and the exactly-once table's).
     */
    static long mix(final long h)
    {
        // MurmurHash3 fmix64: spreads each entry's hash over all bits so the sum does not cancel structure.
        long x = h;
        x ^= x >>> 33;
        x *= 0xff51_afd7_ed55_8ccdL;
        x ^= x >>> 33;
        x *= 0xc4ce_b9fe_1a85_ec53L;
        x ^= x >>> 33;
        return x;
    }

    static void syncDirectory(final Path dir)
    {
        syncDirectory(dir, DiskSync.FSYNC);
    }

    private static void syncDirectory(final Path dir, final DiskSync disk)
    {
        // Makes the marker's creation or removal durable; best effort, as not every file system allows it. The
        // metadata page's open state does not depend on it (docs/store.md).
        try
        {
            disk.force(dir);
        }
        catch (final IOException ex)
        {
            LOG.debug("cannot sync directory {}", dir, ex);
        }
    }

    private static void closeQuietly(final Object... resources)
    {
        for (final Object resource : resources)
        {
            try
            {
                if (resource instanceof FileLock)
                {
                    ((FileLock)resource).release();
                }
                else if (resource instanceof AutoCloseable)
                {
                    ((AutoCloseable)resource).close();
                }
            }
            catch (final Exception ex)
            {
                LOG.debug("while closing {}", resource, ex);
            }
        }
    }
}
