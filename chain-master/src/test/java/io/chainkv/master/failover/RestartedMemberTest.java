package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.node.harness.NodeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A member restarted faster than the master noticed its death finds the configuration still naming it. It
 * lost its Sent list, so it must not take its old place: it waits until the master removes it, then
 * registers as a spare and rejoins at the tail by a state transfer; the chain loses nothing.
 */
@Timeout(240)
class RestartedMemberTest
{
    /** Long enough that the restarted process starts while the old session is alive, and must wait for it to go. */
    private static final int SESSION_TIMEOUT_MS = 10_000;

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

    @Test
    void memberRestartedBeforeItsRemovalRejoinsOnlyAtTheTail() throws Exception
    {
        cluster = FailoverClusters.builder().sessionTimeoutMs(SESSION_TIMEOUT_MS).start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(30)));
        client.put(utf8("before"), utf8("1"));
        final ChainConfig before = cluster.currentConfig().chain(0);
        final NodeProcess middle = cluster.node(before.members().get(1).nodeId());

        middle.kill9();
        // The restarted process is a new incarnation: it registers once its old registration has gone with the old
        // session (docs/design.md, "Node registrations"), and never takes the old place back.
        middle.restart();

        final ChainConfig removed = cluster.awaitChain((chain) -> chain.indexOf(middle.id()) < 0,
            Duration.ofMillis(3L * SESSION_TIMEOUT_MS));
        assertEquals(List.of(before.head(), before.tail()), removed.members());
        client.put(utf8("after"), utf8("2"));

        final ChainConfig rejoined = cluster.awaitChain((chain) -> chain.members().size() == 3 && null == chain.joiner(),
            Duration.ofSeconds(60));
        assertEquals(List.of(before.head().nodeId(), before.tail().nodeId(), middle.id()),
            rejoined.members().stream().map(ChainMember::nodeId).toList());
        assertNotEquals(before.members().get(1).incarnation(), rejoined.tail().incarnation(),
            "the restarted process holds the tail as its new incarnation");
        assertEquals("1", new String(client.get(utf8("before")).value(), StandardCharsets.UTF_8));
        assertEquals("2", new String(client.get(utf8("after")).value(), StandardCharsets.UTF_8));
    }
}
