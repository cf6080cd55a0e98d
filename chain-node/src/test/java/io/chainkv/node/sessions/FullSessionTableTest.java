package io.chainkv.node.sessions;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.RequestTimeoutException;
import io.chainkv.client.SessionsFullException;
import io.chainkv.client.VersionedValue;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.node.ChainNode;
import io.chainkv.node.harness.FreePorts;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A full exactly-once table refuses a new client's first write at the head, before it is sequenced; nothing is
 * half-applied (docs/design.md, invariant 11). Before sessions, the table threw inside apply: the head stored the value,
 * its last applied seq did not move, and members disagreed.
 */
class FullSessionTableTest
{
    private static final int CAPACITY = 2;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<ChainNode> nodes = new ArrayList<>();

    @AfterEach
    void close()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }

    @Test
    void aNewClientsFirstWriteIsRefusedAtTheHeadAndNoMemberHoldsIt() throws Exception
    {
        final ChainConfig config = startChain();
        final List<ChainKvClient> clients = new ArrayList<>();
        for (int i = 0; i < 2 * CAPACITY + 1; i++)
        {
            final ChainKvClient client = ChainKvClient.connect(new ClientConfig().chainConfig(config)
                .requestTimeout(Duration.ofSeconds(3)));
            closeables.add(client);
            clients.add(client);
        }

        int refused = 0;
        for (int i = 0; i < clients.size(); i++)
        {
            final byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
            try
            {
                clients.get(i).put(key, "v".getBytes(StandardCharsets.UTF_8));
            }
            catch (final RequestTimeoutException ex)
            {
                fail("client " + i + "'s write got no answer: " + ex.getMessage());
            }
            catch (final SessionsFullException ex)
            {
                refused++;
                assertTrue(i >= CAPACITY, "client " + i + " refused within capacity: " + ex.getMessage());
                assertTrue(ex.getMessage().contains("--max-client-sessions"), ex.getMessage());
                final VersionedValue read = clients.get(0).get(key);
                assertNull(read, "a refused write is visible");
            }
        }
        assertEquals(clients.size() - CAPACITY, refused, "clients refused");

        // Existing clients go on.
        clients.get(0).put("k0".getBytes(StandardCharsets.UTF_8), "again".getBytes(StandardCharsets.UTF_8));

        // The tail answered last, so every member applied everything; nothing writes now.
        Thread.sleep(200);
        final long digest = nodes.get(0).store().digest();
        final long lastApplied = nodes.get(0).store().lastAppliedSeq();
        for (final ChainNode node : nodes)
        {
            assertEquals(digest, node.store().digest(), "digest of a member");
            assertEquals(lastApplied, node.store().lastAppliedSeq(), "last applied seq of a member");
            assertEquals(nodes.get(0).store().clients().digest(), node.store().clients().digest(),
                "exactly-once table of a member");
            assertEquals(CAPACITY, node.store().clients().sessionCount(), "sessions of a member");
        }
    }

    private ChainConfig startChain() throws Exception
    {
        final List<ChainMember> members = new ArrayList<>();
        final List<Integer> ports = FreePorts.udp(3);
        for (int i = 1; i <= 3; i++)
        {
            members.add(new ChainMember("n" + i, "127.0.0.1:" + ports.get(i - 1)));
        }
        final ChainConfig config = new ChainConfig("test", 0, 1, members);
        for (final ChainMember member : members)
        {
            final ChainNode node = ChainNode.launch(member.nodeId(), config,
                new StoreConfig().dataDir(dir.resolve(member.nodeId())).maxEntries(10_000).maxDataBytes(64L << 20)
                    .maxClients(CAPACITY),
                null, TransportSettings.fromSystemProperties());
            nodes.add(node);
            closeables.add(node);
        }
        return config;
    }
}
