package io.chainkv.node.backup;

import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.node.ChainNode;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.TransportSettings;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Takes an online backup of a chain: runs a short-lived node that registers as a backup taker, which the master
 * gives the chain's joiner place; the tail streams it its state exactly as to a joining node while the chain keeps
 * serving. Once the taker has caught up, its store is the chain's committed state at its last applied seq; the
 * taker then leaves, closing the store at that seq, and writes the {@link BackupManifest} beside it, with the
 * tombstone horizon the transfer gave the copy.
 */
public final class BackupTaker
{
    private static final Logger LOG = LoggerFactory.getLogger(BackupTaker.class);

    private BackupTaker()
    {
    }

    /**
     * @param zooKeeper   how to reach the cluster's ZooKeeper.
     * @param clusterName the cluster.
     * @param backupDir   an empty or absent directory to write the backup to.
     * @param endpoint    host:port the taker receives the tail's stream on (reachable from the tail).
     * @param limits      store limits for the copy: at least those of the cluster's nodes.
     * @param timeout     how long to wait for the copy to complete.
     * @return the manifest written.
     * @throws IllegalStateException if the directory is not empty or the copy does not complete in time (the
     *                               directory is then removed).
     */
    public static BackupManifest take(
        final ZooKeeperSettings zooKeeper,
        final String clusterName,
        final Path backupDir,
        final String endpoint,
        final StoreConfig limits,
        final Duration timeout)
    {
        requireEmpty(backupDir, "back up into");
        final Path storeDir = backupDir.resolve(BackupManifest.STORE_DIR);
        final String takerId = "backup-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
        final File aeronDir = EmbeddedAeron.uniqueDirectory(takerId);
        boolean complete = false;
        try
        {
            final long seq;
            final long tombstoneHorizon;
            try (ChainNode taker = ChainNode.launchBackupTaker(takerId, endpoint, clusterName, zooKeeper,
                limits.copyLimits().dataDir(storeDir),
                aeronDir, TransportSettings.fromSystemProperties()))
            {
                final long deadlineNs = System.nanoTime() + timeout.toNanos();
                while (0 == taker.caughtUpEpoch())
                {
                    if (taker.counters().transfer().transfersStoppedNoRoom() > 0)
                    {
                        throw new IllegalStateException("the copy's store limits (max-entries " +
                            limits.maxEntries() + ", max-data-bytes " + limits.maxDataBytes() + ") are too small for " +
                            "the chain's data: take the backup with limits at least the nodes' (chainctl backup " +
                            "--max-entries N --max-data-bytes B; chainctl status shows the nodes' capacity)");
                    }
                    if (System.nanoTime() > deadlineNs)
                    {
                        throw new IllegalStateException("the backup did not complete within " + timeout.toMillis() +
                            " ms: is an active master running for cluster '" + clusterName + "' and is its chain " +
                            "serving? (a joining spare takes precedence over a backup)");
                    }
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                LOG.info("backup taker {} caught up with the tail; closing its copy", takerId);
            }

            final BackupManifest manifest;
            try (ChainStore store = ChainStore.open(limits.copyLimits().dataDir(storeDir)))
            {
                seq = store.lastCommittedSeq();
                // The tail's, adopted when the transfer ended: the copy lacks the tombstones it collected.
                tombstoneHorizon = store.tombstoneHorizon();
                manifest = new BackupManifest(clusterName, 0, seq, tombstoneHorizon, store.entryCount(), store.digest(),
                    limits, java.util.Map.of());
            }
            final BackupManifest described = new BackupManifest(manifest.cluster(), manifest.chainId(), seq,
                tombstoneHorizon, manifest.entries(), manifest.digest(), limits, BackupManifest.describeFiles(storeDir));
            described.write(backupDir);
            complete = true;
            LOG.info("{} written to {}", described, backupDir);
            return described;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the backup to " + backupDir + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while taking the backup", ex);
        }
        finally
        {
            IoUtil.delete(aeronDir, true);
            if (!complete)
            {
                IoUtil.delete(backupDir.toFile(), true);
            }
        }
    }

    static void requireEmpty(final Path dir, final String what)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        if (!Files.isDirectory(dir))
        {
            throw new IllegalStateException("cannot " + what + " " + dir + ": it is a file, not a directory");
        }
        try (Stream<Path> entries = Files.list(dir))
        {
            if (entries.findAny().isPresent())
            {
                throw new IllegalStateException("cannot " + what + " " + dir + ": it is not empty; give a new " +
                    "or empty directory");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + dir + ": " + ex.getMessage(), ex);
        }
    }
}
