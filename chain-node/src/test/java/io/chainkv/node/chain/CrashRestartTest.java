package io.chainkv.node.chain;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.VersionedValue;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoredValue;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a node process, then a restart on its data directory: the data is intact, the store opens
 * without hanging on a lock the dead process held, and the chain carries on.
 */
class CrashRestartTest
{
    private LocalChain chain;
    private ChainKvClient client;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, chain);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void killedNodesRestartOnTheirDataAndTheChainCatchesUp() throws Exception
    {
        chain = LocalChain.builder().nodes(3)
            .maxEntries(StoreInspection.MAX_ENTRIES)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .start();
        // A generous deadline: writes wait while a killed node restarts (a static chain has no failover).
        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config())
            .requestTimeout(Duration.ofSeconds(90)));

        for (int i = 0; i < 300; i++)
        {
            client.put(bytes("before-" + i), bytes("v" + i));
        }

        final ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread writer = new Thread(() ->
        {
            for (int i = 0; running.get(); i++)
            {
                final String key = "during-" + i;
                try
                {
                    client.put(bytes(key), bytes(key));
                    acknowledged.add(key);
                }
                catch (final RuntimeException ex)
                {
                    // Outcome unknown; only acknowledged writes are checked.
                }
            }
        }, "writer");
        writer.start();

        for (final String victim : List.of("n2", "n3"))
        {
            awaitMoreAcknowledged(acknowledged, 50);
            final NodeProcess node = chain.node(victim);
            node.kill9();
            node.restart();
            awaitMoreAcknowledged(acknowledged, 50);
        }

        running.set(false);
        writer.join(TimeUnit.SECONDS.toMillis(120));

        for (int i = 0; i < 300; i++)
        {
            assertNotNull(client.get(bytes("before-" + i)), "before-" + i);
        }
        for (final String key : acknowledged)
        {
            final VersionedValue read = client.get(bytes(key));
            assertNotNull(read, key);
            assertEquals(key, new String(read.value(), StandardCharsets.UTF_8));
        }

        client.close();
        for (final NodeProcess node : chain.nodes())
        {
            node.stop();
        }
        final long headDigest = StoreInspection.digestOf(chain.head());
        for (final NodeProcess node : chain.nodes())
        {
            assertEquals(headDigest, StoreInspection.digestOf(node), "digest of " + node.id());
        }
    }

    @Test
    void killedHeadRestartsWithItsDataIntact() throws Exception
    {
        chain = LocalChain.builder().nodes(3)
            .maxEntries(StoreInspection.MAX_ENTRIES)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .start();
        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config()));
        for (int i = 0; i < 200; i++)
        {
            client.put(bytes("k" + i), bytes("v" + i));
        }
        client.close();

        final NodeProcess head = chain.head();
        head.kill9();
        head.restart();
        head.stop();

        try (ChainStore store = StoreInspection.open(head))
        {
            assertEquals(200, store.entryCount());
            // 200 puts, then the client's close sequenced its session's end (and a retry would add a DUPLICATE).
            assertTrue(store.lastAppliedSeq() > 200, "last applied seq " + store.lastAppliedSeq());
            final StoredValue value = new StoredValue();
            for (int i = 0; i < 200; i++)
            {
                final byte[] key = bytes("k" + i);
                assertTrue(store.read(new UnsafeBuffer(key), 0, key.length, value), "k" + i);
                assertEquals("v" + i, value.value().getStringWithoutLengthUtf8(0, value.valueLength()));
            }
        }
    }

    private static void awaitMoreAcknowledged(final ConcurrentLinkedQueue<String> acknowledged, final int more)
        throws InterruptedException
    {
        final int target = acknowledged.size() + more;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (acknowledged.size() < target)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("writes did not resume: " + acknowledged.size() + " acknowledged");
            }
            Thread.sleep(10);
        }
    }
}
