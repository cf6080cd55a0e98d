package io.chainkv.node.backup;

import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Seeds the data directory of the first node of a new, empty cluster from a backup. Started with the limits the
 * manifest states, that node holds the backed-up data and announces it when it registers; the master then builds
 * the chain from it alone and the other nodes join it by state transfer ({@code ChainPlanner}).
 * <p>
 * Every file is checked against the manifest's size and checksum before anything is copied, so a corrupt backup
 * is refused with nothing written; a data directory that already holds something is refused too. The restored store's
 * tombstone horizon is at least the manifest's.
 */
public final class BackupRestorer
{
    private BackupRestorer()
    {
    }

    /**
     * @param backupDir a backup directory ({@link BackupManifest#FILE_NAME} and {@link BackupManifest#STORE_DIR}/).
     * @param dataDir   the new node's data directory: absent or empty.
     * @return the backup's manifest.
     * @throws IllegalStateException if the backup is incomplete or corrupt, or the data directory is not empty.
     */
    public static BackupManifest restore(final Path backupDir, final Path dataDir)
    {
        try
        {
            final BackupManifest manifest = BackupManifest.read(backupDir);
            final Path storeDir = backupDir.resolve(BackupManifest.STORE_DIR);
            manifest.verify(storeDir);
            BackupTaker.requireEmpty(dataDir, "restore into");

            Files.createDirectories(dataDir);
            try (Stream<Path> files = Files.list(storeDir))
            {
                for (final Path file : files.toList())
                {
                    if (Files.isRegularFile(file) && !file.getFileName().toString().endsWith(".lock"))
                    {
                        Files.copy(file, dataDir.resolve(file.getFileName()));
                    }
                }
            }

            // The copy must open with the backup's limits and hold what the manifest says.
            try (ChainStore store = ChainStore.open(manifest.limits().copyLimits().dataDir(dataDir)))
            {
                if (store.digest() != manifest.digest() || store.lastCommittedSeq() != manifest.seq())
                {
                    throw new IllegalStateException("the restored store in " + dataDir + " does not match the " +
                        "backup's manifest (digest or seq); remove the directory and restore again");
                }
                // The new cluster adopts the data when its first node starts on it, whatever its name.
                store.clusterId(0);
                // The data lacks the tombstones collected before the backup: the restored node must refuse a delta to
                // any node older than them, as its source tail would have (only raises: max of the two).
                store.tombstoneHorizon(manifest.tombstoneHorizon());
            }
            return manifest;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot restore " + backupDir + " into " + dataDir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the node options that open a store restored from this backup.
     */
    public static String nodeOptionsFor(final BackupManifest manifest)
    {
        final StoreConfig limits = manifest.limits();
        return "--max-entries " + limits.maxEntries() + " --max-data-bytes " + limits.maxDataBytes() +
            " --max-key-bytes " + limits.maxKeyLength() + " --max-value-bytes " + limits.maxValueLength();
    }
}
