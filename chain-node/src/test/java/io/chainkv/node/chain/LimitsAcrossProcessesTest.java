package io.chainkv.node.chain;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.KeyTooLargeException;
import io.chainkv.client.StoreFullException;
import io.chainkv.client.ValueTooLargeException;
import io.chainkv.client.VersionedValue;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Size limits and a full store: each gives its error, and no node's contents change.
 */
class LimitsAcrossProcessesTest
{
    private static final int NODE_MAX_KEY = 1024;
    private static final int NODE_MAX_VALUE = 64 * 1024;

    private LocalChain chain;
    private ChainKvClient client;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, chain);
    }

    private void startChain(final long maxEntries)
    {
        chain = LocalChain.builder().nodes(3)
            .maxEntries(maxEntries)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .maxKeyBytes(NODE_MAX_KEY)
            .maxValueBytes(NODE_MAX_VALUE)
            .start();
        // The client is told of larger limits than the nodes have, so the nodes' own checks are what is tested.
        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config())
            .maxKeyLength(16 * 1024).maxValueLength(1024 * 1024));
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private long[] stopAndDigest(final long maxEntries, final long expectedEntries)
    {
        client.close();
        final long[] digests = new long[chain.nodes().size()];
        int i = 0;
        for (final NodeProcess node : chain.nodes())
        {
            node.stop();
            try (ChainStore store = StoreInspection.open(node, new StoreConfig().maxEntries(maxEntries)
                .maxDataBytes(StoreInspection.MAX_DATA_BYTES).maxKeyLength(NODE_MAX_KEY).maxValueLength(NODE_MAX_VALUE)))
            {
                assertEquals(expectedEntries, store.entryCount(), "entries on " + node.id());
                digests[i++] = store.digest();
            }
        }
        return digests;
    }

    @Test
    void oversizedKeyAndValueAreRefusedByTheHeadAndStoredNowhere()
    {
        startChain(StoreInspection.MAX_ENTRIES);
        client.put(bytes("kept"), bytes("v"));

        final byte[] bigKey = new byte[NODE_MAX_KEY + 1];
        Arrays.fill(bigKey, (byte)'k');
        final KeyTooLargeException keyError = assertThrows(KeyTooLargeException.class,
            () -> client.put(bigKey, bytes("v")));
        assertTrue(keyError.getMessage().contains("1024"), keyError.getMessage());

        final byte[] bigValue = new byte[NODE_MAX_VALUE + 1];
        final ValueTooLargeException valueError = assertThrows(ValueTooLargeException.class,
            () -> client.put(bytes("big"), bigValue));
        assertTrue(valueError.getMessage().contains(Integer.toString(NODE_MAX_VALUE)), valueError.getMessage());
        assertThrows(ValueTooLargeException.class, () -> client.compareAndSet(bytes("kept"), 1, bigValue));

        assertEquals(null, client.get(bytes("big")));
        final long[] digests = stopAndDigest(StoreInspection.MAX_ENTRIES, 1);
        assertEquals(digests[0], digests[1]);
        assertEquals(digests[0], digests[2]);
    }

    @Test
    void valueAtTheLimitTravelsInChunksAndArrivesWhole()
    {
        startChain(StoreInspection.MAX_ENTRIES);
        final byte[] value = new byte[NODE_MAX_VALUE];
        new Random(3).nextBytes(value);

        final long version = client.put(bytes("large"), value);
        final VersionedValue read = client.get(bytes("large"));
        assertEquals(version, read.version());
        assertArrayEquals(value, read.value());

        final long[] digests = stopAndDigest(StoreInspection.MAX_ENTRIES, 1);
        assertEquals(digests[0], digests[1]);
        assertEquals(digests[0], digests[2]);
    }

    @Test
    void fullStoreRefusesNewKeysKeepsServingAndChangesNothing()
    {
        final int capacity = 40;
        startChain(capacity);
        for (int i = 0; i < capacity; i++)
        {
            client.put(bytes("k" + i), bytes("v" + i));
        }

        final StoreFullException full = assertThrows(StoreFullException.class, () -> client.put(bytes("one-more"), bytes("v")));
        assertTrue(full.getMessage().contains("full"), full.getMessage());
        assertThrows(StoreFullException.class, () -> client.compareAndSet(bytes("one-more"), 0, bytes("v")));

        // Existing keys can still change, and reads are served.
        client.put(bytes("k0"), bytes("changed"));
        assertEquals("changed", new String(client.get(bytes("k0")).value(), StandardCharsets.UTF_8));
        assertEquals("v7", new String(client.get(bytes("k7")).value(), StandardCharsets.UTF_8));
        assertEquals(null, client.get(bytes("one-more")));

        final long[] digests = stopAndDigest(capacity, capacity);
        assertEquals(digests[0], digests[1]);
        assertEquals(digests[0], digests[2]);
    }
}
