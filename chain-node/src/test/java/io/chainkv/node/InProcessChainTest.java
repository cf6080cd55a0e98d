package io.chainkv.node;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.VersionedValue;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.node.harness.FreePorts;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A three-node chain with every node in this JVM: quick feedback on the data path before the process tests.
 */
class InProcessChainTest
{
    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }

    @Test
    void writesReachTheTailAndReadsSeeThem() throws Exception
    {
        final ChainConfig config = startChain(3);
        final ChainKvClient client = ChainKvClient.connect(new ClientConfig().chainConfig(config));
        closeables.add(client);

        final byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        assertNull(client.get(key));
        final long v1 = client.put(key, "one".getBytes(StandardCharsets.UTF_8));
        final VersionedValue read = client.get(key);
        assertEquals("one", new String(read.value(), StandardCharsets.UTF_8));
        assertEquals(v1, read.version());
        final long v2 = client.compareAndSet(key, v1, "two".getBytes(StandardCharsets.UTF_8));
        assertEquals(v2, client.get(key).version());
        assertEquals(true, client.delete(key));
        assertNull(client.get(key));
        assertEquals(false, client.delete(key));
    }

    @Test
    void aNodeRefusesTheDataDirectoryOfAnotherCluster() throws Exception
    {
        final int port = FreePorts.udp(1).get(0);
        final StoreConfig store = new StoreConfig().dataDir(dir.resolve("n1")).maxEntries(10_000).maxDataBytes(64L << 20);
        final ChainConfig first = new ChainConfig("first", 0, 1, List.of(new ChainMember("n1", "127.0.0.1:" + port)));
        final ChainKvClient client;
        try (ChainNode node = ChainNode.launch("n1", first, store, null, TransportSettings.fromSystemProperties()))
        {
            client = ChainKvClient.connect(new ClientConfig().chainConfig(first));
            client.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
            client.close();
        }

        final ChainConfig second = new ChainConfig("second", 0, 1, List.of(new ChainMember("n1", "127.0.0.1:" + port)));
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> ChainNode.launch("n1", second, store, null, TransportSettings.fromSystemProperties()));
        assertTrue(refused.getMessage().contains("holds the data of another cluster") &&
            refused.getMessage().contains("'second'"), refused.getMessage());

        // Its own cluster still opens it.
        ChainNode.launch("n1", first, store, null, TransportSettings.fromSystemProperties()).close();
    }

    private ChainConfig startChain(final int size) throws Exception
    {
        final List<ChainMember> members = new ArrayList<>();
        final List<Integer> ports = FreePorts.udp(size);
        for (int i = 1; i <= size; i++)
        {
            members.add(new ChainMember("n" + i, "127.0.0.1:" + ports.get(i - 1)));
        }
        final ChainConfig config = new ChainConfig("test", 0, 1, members);
        for (final ChainMember member : members)
        {
            closeables.add(ChainNode.launch(member.nodeId(), config,
                new StoreConfig().dataDir(dir.resolve(member.nodeId())).maxEntries(10_000).maxDataBytes(64L << 20),
                null, TransportSettings.fromSystemProperties()));
        }
        return config;
    }
}
