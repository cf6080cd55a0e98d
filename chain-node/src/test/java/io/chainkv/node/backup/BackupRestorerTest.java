package io.chainkv.node.backup;

import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A backup lacks the tombstones its source had collected; its manifest says up to where (the tombstone horizon), and
 * a store restored from it refuses a delta to any node older than that, as the source would have.
 */
class BackupRestorerTest
{
    private static final long SEQ = 40;

    @TempDir
    Path dir;

    private static StoreConfig limits()
    {
        return new StoreConfig().maxEntries(100).maxDataBytes(64 * 1024).averageKeyLength(8).averageValueLength(16)
            .maxValueLength(256).maxClients(4);
    }

    /**
     * A backup directory of a store holding one key at {@link #SEQ}, whose own metadata says horizon 0 (as a backup
     * taken before the horizon travelled with transfers does), with a manifest naming the given horizon.
     */
    private Path backup(final long manifestHorizon) throws IOException
    {
        final Path backupDir = dir.resolve("backup");
        final Path storeDir = backupDir.resolve(BackupManifest.STORE_DIR);
        final long digest;
        final long entries;
        try (ChainStore store = ChainStore.open(limits().dataDir(storeDir)))
        {
            final UnsafeBuffer key = new UnsafeBuffer("k".getBytes(StandardCharsets.UTF_8));
            final UnsafeBuffer value = new UnsafeBuffer("v".getBytes(StandardCharsets.UTF_8));
            store.put(key, 0, 1, SEQ, value, 0, 1);
            store.lastAppliedSeq(SEQ);
            store.lastCommittedSeq(SEQ);
            digest = store.digest();
            entries = store.entryCount();
        }
        new BackupManifest("c", 0, SEQ, manifestHorizon, entries, digest, limits(),
            BackupManifest.describeFiles(storeDir)).write(backupDir);
        return backupDir;
    }

    private long restoredHorizon(final Path backupDir)
    {
        final Path dataDir = dir.resolve("restored");
        BackupRestorer.restore(backupDir, dataDir);
        try (ChainStore store = ChainStore.open(limits().dataDir(dataDir)))
        {
            return store.tombstoneHorizon();
        }
    }

    @Test
    void aRestoredStoreStartsAtTheManifestsTombstoneHorizon() throws IOException
    {
        final Path backupDir = backup(25);

        assertEquals(25, BackupManifest.read(backupDir).tombstoneHorizon());
        assertEquals(25, restoredHorizon(backupDir));
    }

    @Test
    void aManifestThatNamesNoHorizonRestoresAtTheBackupsSeq() throws IOException
    {
        final Path backupDir = backup(25);
        final Path manifest = backupDir.resolve(BackupManifest.FILE_NAME);
        final List<String> withoutHorizon = Files.readAllLines(manifest, StandardCharsets.UTF_8).stream()
            .filter((line) -> !line.startsWith("tombstoneHorizon=")).collect(Collectors.toList());
        Files.write(manifest, withoutHorizon, StandardCharsets.UTF_8);

        assertEquals(SEQ, BackupManifest.read(backupDir).tombstoneHorizon());
        assertEquals(SEQ, restoredHorizon(backupDir), "every tombstone up to the backup's seq may be missing");
    }
}
