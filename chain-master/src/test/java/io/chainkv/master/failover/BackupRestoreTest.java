package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.VersionedValue;
import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.cli.ChainCtl;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.node.backup.BackupManifest;
import io.chainkv.node.backup.BackupRestorer;
import io.chainkv.node.backup.BackupTaker;
import io.chainkv.node.chain.StoreInspection;
import io.chainkv.node.harness.FreePorts;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An online backup taken under write load restores into a new cluster whose members all hold exactly the backed-up
 * state; a corrupt backup, or a cluster that is not new, is refused before anything is loaded.
 */
@Timeout(300)
class BackupRestoreTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int KEYS = 2_000;

    @TempDir
    Path tmp;

    private LocalCluster source;
    private LocalCluster restored;
    private ChainKvClient client;
    private ContinuousWriters writers;

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != writers)
        {
            writers.close();
        }
        CloseHelper.quietCloseAll(client, source, restored);
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static StoreConfig limits()
    {
        return new StoreConfig().maxEntries(FailoverClusters.MAX_ENTRIES).maxDataBytes(StoreInspection.MAX_DATA_BYTES);
    }

    @Test
    void backupTakenUnderWritesSeedsANewClusterWhoseMembersHoldExactlyIt() throws Exception
    {
        source = FailoverClusters.builder().start();
        client = ChainKvClient.connect(source.clientConfig().requestTimeout(Duration.ofSeconds(20)));
        final List<CompletableFuture<Long>> puts = new ArrayList<>();
        for (int i = 0; i < KEYS; i++)
        {
            puts.add(client.putAsync(utf8("k" + i), utf8("v-" + i)));
        }
        puts.forEach(CompletableFuture::join);
        writers = new ContinuousWriters(client, 4);
        writers.awaitProgress(50, WAIT);

        final Path backup = tmp.resolve("backup");
        final BackupManifest manifest = BackupTaker.take(
            source.zooKeeperSettings(10_000, 5_000, ZooKeeperPrincipal.OPERATOR), source.clusterName(), backup,
            "127.0.0.1:" + FreePorts.udp(1).get(0), limits(), WAIT);
        writers.awaitProgress(50, WAIT);
        writers.stopAndVerify(client);
        client.close();
        client = null;
        assertTrue(manifest.seq() >= KEYS, "the backup is at seq " + manifest.seq());
        source.close();
        source = null;

        restored = FailoverClusters.builder()
            .seedNodeData("n1", (dataDir) -> BackupRestorer.restore(backup, dataDir))
            .start();
        final ChainConfig full = restored.awaitChain((chain) -> chain.members().size() == 3 && null == chain.joiner(),
            WAIT);
        assertEquals("n1", full.head().nodeId(), "the cluster is built from the restored node: " + full);
        client = ChainKvClient.connect(restored.clientConfig().requestTimeout(Duration.ofSeconds(20)));
        for (int i = 0; i < KEYS; i += 97)
        {
            final VersionedValue value = client.get(utf8("k" + i));
            assertNotNull(value, "k" + i + " is missing from the restored cluster");
            assertEquals("v-" + i, new String(value.value(), StandardCharsets.UTF_8));
        }

        for (final var member : full.members())
        {
            final NodeProcess node = restored.node(member.nodeId());
            assertEquals(manifest.seq(), NodeCountersReader.read(node.aeronDir().toFile()).get("last applied seq"));
            node.stop();
            try (ChainStore store = StoreInspection.open(node, FailoverClusters.MAX_ENTRIES))
            {
                assertEquals(manifest.digest(), store.digest(), member.nodeId() + " differs from the backup");
            }
        }
    }

    @Test
    void corruptBackupIsRefusedBeforeAnythingIsRestored() throws Exception
    {
        source = FailoverClusters.builder().nodes(1).replicationFactor(1).masters(1).start();
        client = ChainKvClient.connect(source.clientConfig().requestTimeout(Duration.ofSeconds(20)));
        client.put(utf8("k"), utf8("v"));
        final Path backup = tmp.resolve("backup");
        BackupTaker.take(source.zooKeeperSettings(10_000, 5_000, ZooKeeperPrincipal.OPERATOR), source.clusterName(),
            backup, "127.0.0.1:" + FreePorts.udp(1).get(0), limits(), WAIT);

        final Path entries = backup.resolve(BackupManifest.STORE_DIR).resolve("entries.cm3");
        try (RandomAccessFile file = new RandomAccessFile(entries.toFile(), "rw"))
        {
            final long at = file.length() / 2;
            file.seek(at);
            final int b = file.read();
            file.seek(at);
            file.write(b ^ 0xFF);
        }

        final Path dataDir = tmp.resolve("node-data");
        final IllegalStateException refused =
            assertThrows(IllegalStateException.class, () -> BackupRestorer.restore(backup, dataDir));
        assertTrue(refused.getMessage().contains("corrupt"), refused.getMessage());
        assertFalse(Files.exists(dataDir), "nothing may be written from a corrupt backup");
    }

    @Test
    void restoreIntoAClusterThatAlreadyExistsIsRefused() throws Exception
    {
        source = FailoverClusters.builder().nodes(1).replicationFactor(1).masters(1).start();
        final Path backup = tmp.resolve("backup");
        // Through chainctl, so its backup command (connection options shared with every subcommand) runs end to end.
        final ByteArrayOutputStream backupOut = new ByteArrayOutputStream();
        assertEquals(ChainCtl.EXIT_OK, ChainCtl.run(new String[]{ "backup", "--zk", source.zkConnect(), "--cluster",
            source.clusterName(), "--dir", backup.toString(), "--max-entries", "" + limits().maxEntries(),
            "--max-data-bytes", "" + limits().maxDataBytes(), "--copy-timeout-ms", "" + WAIT.toMillis() },
            new PrintStream(backupOut), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(backupOut.toString().contains("backup of cluster " + source.clusterName() + " written to " +
            backup), backupOut.toString());

        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = ChainCtl.run(new String[]{ "restore", "--zk", source.zkConnect(), "--cluster",
            source.clusterName(), "--backup", backup.toString(), "--data-dir", tmp.resolve("new-node").toString() },
            new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));

        assertEquals(ChainCtl.EXIT_ERROR, exit);
        assertTrue(err.toString().contains("already has a configuration"), err.toString());
        assertFalse(Files.exists(tmp.resolve("new-node")));
    }
}
