package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ReadMode;
import io.chainkv.client.VersionedValue;
import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.node.backup.BackupManifest;
import io.chainkv.node.backup.BackupTaker;
import io.chainkv.node.harness.FreePorts;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import io.chainkv.node.store.StoreConfig;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An acknowledged delete stays deleted when the tombstone that recorded it was collected before a full transfer:
 * the node that received the transfer inherits the source tail's tombstone horizon, so a node older than that
 * horizon that later rejoins behind it takes a full transfer, never a delta that would keep the deleted value; a
 * backup taken from such a chain records the horizon for its restore (issue 14, item 2; docs/healing.md, "The
 * horizon travels with the data"). Real processes, kill -9 for real; one cluster for the whole story.
 */
@Timeout(180)
class TombstoneHorizonTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Short, so the surviving member collects the delete's tombstone within a second or two. */
    private static final String SHORT_RETENTION_MS = "1000";
    /** The default: the joiner must not raise a horizon of its own before the old member rejoins behind it. */
    private static final String DEFAULT_RETENTION_MS = "600000";
    private static final StoreConfig LIMITS = new StoreConfig().maxEntries(1_000).maxDataBytes(1 << 20)
        .maxValueLength(1024);

    @TempDir
    Path tmp;

    private LocalCluster cluster;
    private ChainKvClient client;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, cluster);
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * R fails; k is deleted; the retention passes and the tail A collects k's tombstone; spare J joins by a full
     * transfer and becomes tail; A fails; R rejoins behind J and becomes tail. Before the fix J's horizon was 0 after
     * its full transfer, so J gave R a delta, which carries nothing for k: R kept k's old value and served it. Last, a
     * backup of the healed chain (a transfer from R, which has no tombstone for k either) names a horizon covering
     * k's delete, which a restore gives the restored store (BackupRestorerTest).
     * <p>
     * Every node but J collects tombstones after one second; J keeps the default retention. That stands for R
     * rejoining within J's retention, which the default ten minutes makes the common case; with J's retention as
     * short as A's, J would raise a horizon of its own (above R's seq) before R is back, and hide the bug.
     */
    @Test
    void deleteCollectedBeforeAFullTransferIsNotUndoneByADeltaRejoinBehindTheJoiner() throws Exception
    {
        // Small stores: a node restarted after kill -9 recovers its maps, in time that grows with their size.
        cluster = FailoverClusters.builder().nodes(3).replicationFactor(2).masters(1)
            .maxEntries(LIMITS.maxEntries()).maxDataBytes(LIMITS.maxDataBytes()).maxValueBytes(LIMITS.maxValueLength())
            .nodeArgs("--tombstone-retention-ms", SHORT_RETENTION_MS).start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(20)));
        final ChainConfig initial = cluster.awaitChain((chain) -> chain.members().size() == 2, WAIT);
        final NodeProcess a = cluster.node(initial.head().nodeId());
        final NodeProcess r = cluster.node(initial.tail().nodeId());
        final NodeProcess j = spareOf(initial);

        client.put(utf8("k"), utf8("old"));
        client.put(utf8("kept"), utf8("1"));
        // The spare must not heal the chain before the delete is collected: it comes back later as J.
        j.stop();
        cluster.nodeOption(j.id(), "--tombstone-retention-ms", DEFAULT_RETENTION_MS);

        r.kill9();
        cluster.awaitChain((chain) -> List.of(a.id()).equals(chain.memberIds()) && null == chain.joiner(), WAIT);
        // The test is the only writer: the delete is the write right after this one.
        final long beforeDelete = client.put(utf8("marker"), utf8("m"));
        assertTrue(client.delete(utf8("k")), "k existed");
        awaitCounter(a, "tombstones collected", 1);

        j.restart();
        // A full tail: the old one proved the handoff, so the chain may be left to J when A fails.
        cluster.awaitChain((chain) -> List.of(a.id(), j.id()).equals(chain.memberIds()) &&
            null == chain.joiner() && !chain.tailProvisional(), WAIT);
        assertEquals(1L, counters(j).get("full transfers received"), "J joined an empty store by a full transfer");

        a.kill9();
        cluster.awaitChain((chain) -> List.of(j.id()).equals(chain.memberIds()) && null == chain.joiner(), WAIT);
        r.restart();
        cluster.awaitChain((chain) -> List.of(j.id(), r.id()).equals(chain.memberIds()) &&
            null == chain.joiner() && !chain.tailProvisional(), WAIT);

        final VersionedValue fromNewTail = readAnsweredBy(r, "k");
        assertNull(fromNewTail, () -> "the acknowledged delete of k was undone: the new tail " + r.id() +
            " serves '" + new String(fromNewTail.value(), StandardCharsets.UTF_8) + "' (version " +
            fromNewTail.version() + "); its transfer counters: " + transferCounters(r));
        final Map<String, Long> rejoined = counters(r);
        assertEquals(1L, rejoined.get("full transfers received"), "R is older than J's horizon: " + rejoined);
        assertEquals(0L, rejoined.get("delta transfers received"), rejoined.toString());
        assertEquals("1", new String(readAnsweredBy(r, "kept").value(), StandardCharsets.UTF_8));

        final BackupManifest backup = BackupTaker.take(
            cluster.zooKeeperSettings(10_000, 5_000, ZooKeeperPrincipal.OPERATOR), cluster.clusterName(), tmp.resolve("backup"), "127.0.0.1:" + FreePorts.udp(1).get(0), LIMITS, WAIT);
        assertTrue(backup.tombstoneHorizon() > beforeDelete, "the backup lacks k's tombstone, so its horizon must " +
            "cover the delete (after seq " + beforeDelete + "): " + backup.tombstoneHorizon());
    }

    /**
     * Reads a key from the tail until the given node is the one that answers: the client may still route by the
     * configuration before the node's promotion, whose tail answers for itself. Only this test reads, so a read
     * during which the node's count of answered reads rose is the node's answer.
     */
    private VersionedValue readAnsweredBy(final NodeProcess node, final String key) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + WAIT.toNanos();
        while (true)
        {
            final long before = counters(node).get("reads answered");
            final VersionedValue value = client.get(utf8(key), ReadMode.TAIL);
            if (counters(node).get("reads answered") > before)
            {
                return value;
            }
            assertTrue(System.nanoTime() < deadlineNs, node.id() + " never answered a read of " + key);
            Thread.sleep(50);
        }
    }

    private NodeProcess spareOf(final ChainConfig chain)
    {
        for (final NodeProcess node : cluster.nodes())
        {
            if (chain.indexOf(node.id()) < 0)
            {
                return node;
            }
        }
        throw new IllegalStateException("no spare besides " + chain);
    }

    private static Map<String, Long> counters(final NodeProcess node)
    {
        return NodeCountersReader.read(node.aeronDir().toFile());
    }

    private static String transferCounters(final NodeProcess node)
    {
        final StringBuilder sb = new StringBuilder();
        counters(node).forEach((name, value) ->
        {
            if (name.contains("transfer"))
            {
                sb.append(name).append('=').append(value).append(", ");
            }
        });
        return sb.toString();
    }

    private static void awaitCounter(final NodeProcess node, final String name, final long atLeast)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + WAIT.toNanos();
        while (counters(node).getOrDefault(name, 0L) < atLeast)
        {
            assertTrue(System.nanoTime() < deadlineNs, node.id() + "'s '" + name + "' never reached " + atLeast);
            Thread.sleep(50);
        }
    }
}
