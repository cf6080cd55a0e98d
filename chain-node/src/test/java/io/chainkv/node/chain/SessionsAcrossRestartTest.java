package io.chainkv.node.chain;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Session ends decided while a member is down reach it when it restarts, as any update: a member killed with kill -9
 * comes back on its own data, is resent what it missed (the head's session ends among it), and every member ends with
 * the same exactly-once table (docs/design.md, invariant 11).
 */
class SessionsAcrossRestartTest
{
    private static final int CAPACITY = 64;
    private static final long SESSION_TIMEOUT_MS = 1_000;

    private LocalChain chain;
    private final List<ChainKvClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(clients);
        CloseHelper.quietClose(chain);
    }

    @Test
    void sessionsEndedWhileAMemberWasDownEndOnItWhenItComesBack() throws Exception
    {
        chain = LocalChain.builder().nodes(3)
            .maxEntries(StoreInspection.MAX_ENTRIES)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .nodeArgs("--max-client-sessions", Integer.toString(CAPACITY),
                "--client-session-timeout-ms", Long.toString(SESSION_TIMEOUT_MS))
            .start();
        for (int i = 0; i < 8; i++)
        {
            // No keepalives: the ones left open fall silent and expire.
            final ChainKvClient client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config())
                .sessionKeepalive(Duration.ofHours(1)));
            clients.add(client);
            client.put(bytes("k" + i), bytes("v" + i));
        }

        final NodeProcess middle = chain.node("n2");
        middle.kill9();
        // Half close (their session ends at once at the head), half fall silent (the head ends theirs on expiry); the
        // head keeps the session ends in its Sent list for the member that is down.
        for (int i = 0; i < 4; i++)
        {
            clients.get(i).close();
        }
        Thread.sleep(3 * SESSION_TIMEOUT_MS);
        middle.restart();

        // A write goes through the whole chain again once the middle caught up.
        try (ChainKvClient client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config())
            .requestTimeout(Duration.ofSeconds(60))))
        {
            client.put(bytes("after"), bytes("restart"));
        }
        Thread.sleep(500);
        for (final NodeProcess node : chain.nodes())
        {
            node.stop();
        }

        final long[] tables = new long[3];
        final long[] digests = new long[3];
        int n = 0;
        for (final NodeProcess node : chain.nodes())
        {
            try (ChainStore store = StoreInspection.open(node, new StoreConfig()
                .maxEntries(StoreInspection.MAX_ENTRIES).maxDataBytes(StoreInspection.MAX_DATA_BYTES).maxClients(CAPACITY)))
            {
                assertEquals(0, store.clients().sessionCount(), node.id() + " holds sessions that ended");
                tables[n] = store.clients().digest();
                digests[n] = store.digest();
                n++;
            }
        }
        assertEquals(tables[0], tables[1], "exactly-once tables of the head and the restarted middle");
        assertEquals(tables[0], tables[2], "exactly-once tables of the head and the tail");
        assertEquals(digests[0], digests[1], "digests of the head and the restarted middle");
        assertEquals(digests[0], digests[2], "digests of the head and the tail");
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
