package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.node.chain.StoreInspection;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import io.chainkv.node.store.ChainStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.chainkv.master.failover.KeyWrites.value;
import static io.chainkv.master.failover.KeyWrites.writeKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A chain that lost a member returns to its replication factor by itself: a spare (or the restarted member)
 * joins at the tail by a state transfer while writes go on, and becomes the tail once it has caught up. Real
 * processes, kill -9 for real.
 */
@Timeout(300)
class ChainHealingTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int WRITERS = 4;
    private static final long MAX_ENTRIES = 200_000;

    private LocalCluster cluster;
    private ChainKvClient client;
    private ContinuousWriters writers;

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != writers)
        {
            writers.close();
        }
        CloseHelper.quietCloseAll(client, cluster);
    }

    private void start(final int nodes) throws InterruptedException
    {
        cluster = FailoverClusters.builder().nodes(nodes).replicationFactor(3).maxEntries(MAX_ENTRIES).start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(20)));
        cluster.awaitChain((chain) -> chain.members().size() == 3, WAIT);
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private ChainConfig awaitFullChainWithTail(final String tailId)
    {
        return cluster.awaitChain((chain) -> chain.members().size() == 3 && null == chain.joiner() &&
            chain.tail().nodeId().equals(tailId), WAIT);
    }

    @Test
    void spareJoinsAtTheTailUnderWritesAndEndsIdenticalToTheOtherMembers() throws Exception
    {
        start(4);
        final ChainConfig before = cluster.currentConfig().chain(0);
        final String spare = sparesOf(before).get(0);
        writers = new ContinuousWriters(client, WRITERS);
        writers.awaitProgress(200, WAIT);

        cluster.node(before.members().get(1).nodeId()).kill9();
        final ChainConfig healed = awaitFullChainWithTail(spare);
        writers.awaitProgress(200, WAIT);

        assertEquals(List.of(before.head(), before.tail()), healed.members().subList(0, 2));
        writers.stopAndVerify(client);
        assertMembersIdentical(healed);
    }

    @Test
    void restartedMemberCatchesUpByADeltaOfWhatItMissed() throws Exception
    {
        start(3);
        final int keys = 100_000;
        writeKeys(client, 0, keys, "v1");
        final ChainConfig before = cluster.currentConfig().chain(0);
        final NodeProcess middle = cluster.node(before.members().get(1).nodeId());

        middle.kill9();
        cluster.awaitChain((chain) -> chain.indexOf(middle.id()) < 0, WAIT);
        final int missed = keys / 100;
        writeKeys(client, 0, missed, "v2");
        middle.restart();
        awaitFullChainWithTail(middle.id());

        final Map<String, Long> counters = NodeCountersReader.read(middle.aeronDir().toFile());
        assertEquals(1L, counters.get("delta transfers received"), counters.toString());
        assertEquals(0L, counters.get("full transfers received"), counters.toString());
        final long received = counters.get("transfer entries received");
        assertTrue(received >= missed && received < missed * 2L, "a delta of about " + missed +
            " entries was expected, " + received + " were received");
        assertEquals("v2-7", value(client, "k7"));
        assertEquals("v1-" + (keys - 1), value(client, "k" + (keys - 1)));
    }

    @Test
    void entryNeverCommittedIsNotBroughtBackByARejoiningNode() throws Exception
    {
        start(3);
        client.put(utf8("committed"), utf8("old"));
        final ChainConfig before = cluster.currentConfig().chain(0);
        final NodeProcess head = cluster.node(before.head().nodeId());

        head.kill9();
        cluster.awaitChain((chain) -> chain.indexOf(head.id()) < 0, WAIT);
        // What a head killed after applying two writes but before forwarding them holds: versions above its
        // committed seq, one of them overwriting a committed key.
        try (ChainStore store = StoreInspection.open(head, MAX_ENTRIES))
        {
            final long uncommitted = store.lastAppliedSeq() + 1;
            put(store, "committed", "never-acknowledged", uncommitted);
            put(store, "phantom", "never-acknowledged", uncommitted + 1);
            store.lastAppliedSeq(uncommitted + 1);
        }
        head.restart();
        awaitFullChainWithTail(head.id());

        assertEquals("old", value(client, "committed"));
        assertNull(client.get(utf8("phantom")), "an uncommitted write was resurrected");
    }

    @Test
    void transferSurvivesTheDeathOfAJoinerAndOfTheSourceTail() throws Exception
    {
        start(5);
        writeKeys(client, 0, 50_000, "v1");
        final ChainConfig before = cluster.currentConfig().chain(0);
        writers = new ContinuousWriters(client, WRITERS);
        writers.awaitProgress(100, WAIT);

        cluster.node(before.members().get(1).nodeId()).kill9();
        final ChainConfig firstJoin = cluster.awaitChain((chain) -> null != chain.joiner(), WAIT);
        cluster.node(firstJoin.joiner().nodeId()).kill9();
        final ChainConfig secondJoin = cluster.awaitChain((chain) -> null != chain.joiner() &&
            !chain.joiner().equals(firstJoin.joiner()), WAIT);
        cluster.node(secondJoin.tail().nodeId()).kill9();
        // The joiner stays through the splice and starts again from the new tail; no spare is left after it.
        final ChainConfig healed = cluster.awaitChain((chain) -> chain.indexOf(secondJoin.tail().nodeId()) < 0 &&
            null == chain.joiner() && chain.indexOf(secondJoin.joiner().nodeId()) >= 0, WAIT);
        assertEquals(List.of(before.head(), secondJoin.joiner()), healed.members());
        writers.awaitProgress(100, WAIT);
        writers.stopAndVerify(client);
        assertEquals("v1-49999", value(client, "k49999"));
    }

    private List<String> sparesOf(final ChainConfig chain)
    {
        final List<String> spares = new ArrayList<>();
        for (final NodeProcess node : cluster.nodes())
        {
            if (chain.indexOf(node.id()) < 0)
            {
                spares.add(node.id());
            }
        }
        return spares;
    }

    private static void put(final ChainStore store, final String key, final String value, final long version)
    {
        final UnsafeBuffer keyBuffer = new UnsafeBuffer(utf8(key));
        final UnsafeBuffer valueBuffer = new UnsafeBuffer(utf8(value));
        store.put(keyBuffer, 0, keyBuffer.capacity(), version, valueBuffer, 0, valueBuffer.capacity());
    }

    /**
     * Waits until every member has applied the same seq, stops them, and compares their stores.
     */
    private void assertMembersIdentical(final ChainConfig chain) throws InterruptedException
    {
        StoreInspection.awaitConverged(chain.members().stream().map((member) -> cluster.node(member.nodeId()))
            .toList(), WAIT);

        final List<Long> digests = new ArrayList<>();
        for (final var member : chain.members())
        {
            final NodeProcess node = cluster.node(member.nodeId());
            node.stop();
            try (ChainStore store = StoreInspection.open(node, MAX_ENTRIES))
            {
                digests.add(store.digest());
            }
        }
        assertEquals(1, digests.stream().distinct().count(), "members' stores differ: " + digests);
    }
}
