package io.chainkv.node.sessions;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.SessionExpiredException;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.node.ChainNode;
import io.chainkv.node.harness.FreePorts;
import io.chainkv.node.replication.ReplicationAgent;
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
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client sessions on a three-node chain in this JVM: the head ends a silent session on every member at the same seq,
 * a write of an ended session is refused (never applied again) and the client goes on in a new session; keepalives keep
 * an idle session; a closed client's session and reply publications go at once.
 */
class SessionLifecycleTest
{
    // Long enough that a loaded machine's pauses do not end a session kept alive; short enough for a quick test.
    private static final long SESSION_TIMEOUT_MS = 1_000;

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
        System.clearProperty(ReplicationAgent.SESSION_TIMEOUT_PROP);
    }

    @Test
    void aSilentClientsSessionEndsOnEveryMemberAndItsNextWriteIsRefusedAsExpired() throws Exception
    {
        final ChainConfig config = startChain();
        final ChainKvClient client = connect(config, Duration.ofHours(1));
        client.put(bytes("a"), bytes("1"));

        awaitSessionExpired();
        final SessionExpiredException expired =
            assertThrows(SessionExpiredException.class, () -> client.put(bytes("b"), bytes("2")));

        assertTrue(expired.outcomeUnknown());
        assertTrue(expired.getMessage().contains("Read those keys before writing them again"), expired.getMessage());
        assertEquals(null, client.get(bytes("b")), "the refused write was applied");
        assertEquals(1, nodes.get(0).counters().sessionsExpired());
    }

    @Test
    void aClientGoesOnInANewSessionAfterItsSessionExpired() throws Exception
    {
        final ChainConfig config = startChain();
        final ChainKvClient client = connect(config, Duration.ofHours(1));
        client.put(bytes("a"), bytes("1"));
        final long firstSession = client.clientId();
        awaitSessionExpired();
        assertThrows(SessionExpiredException.class, () -> client.put(bytes("b"), bytes("2")));

        client.put(bytes("c"), bytes("3"));

        assertNotEquals(firstSession, client.clientId());
        assertEquals("3", new String(client.get(bytes("c")).value(), StandardCharsets.UTF_8));
        // Closed, so nothing changes while the members are compared.
        client.close();
        awaitTrue(() -> everyMemberHoldsSessions(0), "every member ends the new session");
        assertMembersEqual();
    }

    @Test
    void keepalivesKeepAnIdleClientsSession() throws Exception
    {
        final ChainConfig config = startChain();
        final ChainKvClient client = connect(config, Duration.ofMillis(SESSION_TIMEOUT_MS / 5));
        client.put(bytes("a"), bytes("1"));
        final long session = client.clientId();

        Thread.sleep(3 * SESSION_TIMEOUT_MS);
        client.put(bytes("b"), bytes("2"));

        assertEquals(session, client.clientId());
        assertEquals(0, nodes.get(0).counters().sessionsExpired());
        assertTrue(everyMemberHoldsSessions(1));
    }

    @Test
    void aClosedClientsSessionAndReplyPublicationsGoAtOnce() throws Exception
    {
        final ChainConfig config = startChain();
        // Kept alive until it closes: only the close can end it.
        final ChainKvClient client = connect(config, Duration.ofMillis(SESSION_TIMEOUT_MS / 5));
        client.put(bytes("a"), bytes("1"));
        final ChainNode tail = nodes.get(nodes.size() - 1);
        awaitTrue(() -> 1 == tail.counters().replyPublications() && everyMemberHoldsSessions(1),
            "every member holds the session and the tail answers the client");

        client.close();

        // Well before the session timeout: the close, not expiry, ended it.
        awaitTrue(() -> everyMemberHoldsSessions(0) && 0 == tail.counters().replyPublications(),
            "the session and the tail's reply publication end with the client");
        assertEquals(0, nodes.get(0).counters().sessionsExpired());
        assertMembersEqual();
    }

    private void awaitSessionExpired() throws InterruptedException
    {
        awaitTrue(() -> 1 == nodes.get(0).counters().sessionsExpired() && everyMemberHoldsSessions(0),
            "the head ends the silent session on every member");
    }

    private boolean everyMemberHoldsSessions(final long sessions)
    {
        for (final ChainNode node : nodes)
        {
            if (node.counters().activeSessions() != sessions)
            {
                return false;
            }
        }
        return true;
    }

    private void assertMembersEqual() throws InterruptedException
    {
        // The tail answered last, so every member applied everything; a moment for the counters to settle.
        Thread.sleep(200);
        final long digest = nodes.get(0).store().digest();
        final long clients = nodes.get(0).store().clients().digest();
        for (final ChainNode node : nodes)
        {
            assertEquals(digest, node.store().digest(), "digest of a member");
            assertEquals(clients, node.store().clients().digest(), "exactly-once table of a member");
        }
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    private ChainKvClient connect(final ChainConfig config, final Duration keepalive)
    {
        final ChainKvClient client = ChainKvClient.connect(new ClientConfig().chainConfig(config)
            .sessionKeepalive(keepalive));
        closeables.add(client);
        return client;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private ChainConfig startChain() throws Exception
    {
        System.setProperty(ReplicationAgent.SESSION_TIMEOUT_PROP, Long.toString(SESSION_TIMEOUT_MS));
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
                    .maxClients(16),
                null, TransportSettings.fromSystemProperties());
            nodes.add(node);
            closeables.add(node);
        }
        return config;
    }
}
