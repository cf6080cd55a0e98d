package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.ReadMode;
import io.chainkv.client.VersionedValue;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.node.FaultHooks;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member removed alive answers no read that a write of a newer configuration could contradict (docs/design.md,
 * invariant 10; docs/failures.md, "Removing a live member"). Real processes.
 * <p>
 * The removed member is given a slow link to ZooKeeper with the test hook {@link FaultHooks#ZOOKEEPER_STALL_DIR_PROP}:
 * right after it renewed its lease it hears nothing from ZooKeeper for four seconds, less than its lease, so it goes on
 * serving the old configuration with a valid lease while the master reconfigures. A client that still holds the old
 * configuration then reads at it.
 */
@Timeout(180)
class LiveRemovalTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    // A 5 s lease, so the stall below fits inside it with room for the test's steps.
    private static final int SESSION_TIMEOUT_MS = 10_000;
    private static final long STALL_MS = 4000;

    @TempDir
    Path stallDir;

    private LocalCluster cluster;
    private ChainKvClient client;
    private ChainKvClient staleReader;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(staleReader, client, cluster);
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRemovedTailThatHasNotSeenItsRemovalAnswersNoReadANewerWriteContradicts() throws Exception
    {
        cluster = FailoverClusters.builder().nodes(3).replicationFactor(3).sessionTimeoutMs(SESSION_TIMEOUT_MS)
            .nodeSystemProperty(FaultHooks.ZOOKEEPER_STALL_DIR_PROP, stallDir.toString())
            .start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(20)));
        final ChainConfig before = cluster.awaitChain((chain) -> chain.members().size() == 3, WAIT);
        final String tail = before.tail().nodeId();
        client.put(utf8("k"), utf8("v1"));
        // A client that keeps the configuration it started with, as one whose ZooKeeper watch is late would.
        staleReader = ChainKvClient.connect(new ClientConfig().chainConfig(before).readMode(ReadMode.TAIL)
            .attemptTimeout(Duration.ofMillis(250)).requestTimeout(Duration.ofSeconds(2)));
        assertEquals("v1", value(staleReader.get(utf8("k"))));

        final Path stall = stallDir.resolve(tail + ".stall");
        Files.writeString(stall, Long.toString(STALL_MS));
        awaitDeleted(stall);
        // What chainctl remove-node writes, without its own ZooKeeper connection's start-up inside the window.
        cluster.curator().create().creatingParentsIfNeeded().forPath(cluster.paths().removalPath(tail),
            utf8("remove"));
        cluster.awaitChain((chain) -> chain.indexOf(tail) < 0 || chain.leaving().contains(tail), WAIT);
        // Before two-step removal the master took the tail out at once, and the new tail acknowledged this write while
        // the old one, stalled, still served the old configuration. Now the write waits for the leaving tail.
        client.put(utf8("k"), utf8("v2"));

        VersionedValue read = null;
        try
        {
            read = staleReader.get(utf8("k"));
        }
        catch (final RuntimeException refused)
        {
            // The removed member refuses, or the old configuration's members do: either way no stale answer.
        }
        if (null != read)
        {
            assertEquals("v2", value(read), "the removed tail answered a read older than an acknowledged write");
        }

        cluster.awaitChain((chain) -> chain.indexOf(tail) < 0, WAIT);
        assertEquals("v2", value(client.get(utf8("k"))));
        assertTrue(cluster.node(tail).isAlive(), "taken out, not killed");
    }

    private static String value(final VersionedValue value)
    {
        return null == value ? null : new String(value.value(), StandardCharsets.UTF_8);
    }

    private static void awaitDeleted(final Path file) throws InterruptedException
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (Files.exists(file))
        {
            assertTrue(System.nanoTime() < deadline, file + " was not picked up");
            Thread.sleep(5);
        }
    }
}
