package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ChainKvException;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.node.chain.StoreInspection;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client sessions travel with a state transfer: while a spare joins by transfer, short-lived clients keep opening and
 * closing sessions and silent ones expire; once it is the tail and the sessions have settled, every member holds the
 * same exactly-once table and the same store (docs/design.md, invariants 9 and 11). Real processes, kill -9 for real.
 */
@Timeout(300)
class SessionsAcrossTransferTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long MAX_ENTRIES = 200_000;
    private static final int CAPACITY = 64;
    private static final long SESSION_TIMEOUT_MS = 1_500;

    private LocalCluster cluster;
    private ChainKvClient client;
    private ContinuousWriters writers;
    private Thread churn;
    private final AtomicBoolean churning = new AtomicBoolean(true);

    @AfterEach
    void tearDown() throws Exception
    {
        churning.set(false);
        if (null != churn)
        {
            churn.join(30_000);
        }
        if (null != writers)
        {
            writers.close();
        }
        CloseHelper.quietCloseAll(client, cluster);
    }

    @Test
    void aJoinerTakesTheTailsSessionsAndEndsWithTheSameTableAsTheOtherMembers() throws Exception
    {
        cluster = FailoverClusters.builder().nodes(4).replicationFactor(3).maxEntries(MAX_ENTRIES)
            .nodeArgs("--max-client-sessions", Integer.toString(CAPACITY),
                "--client-session-timeout-ms", Long.toString(SESSION_TIMEOUT_MS))
            .start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(20)));
        final ChainConfig before = cluster.awaitChain((chain) -> chain.members().size() == 3, WAIT);
        String spare = null;
        for (final NodeProcess node : cluster.nodes())
        {
            if (before.indexOf(node.id()) < 0)
            {
                spare = node.id();
            }
        }
        writers = new ContinuousWriters(client, 2);
        final AtomicInteger churned = new AtomicInteger();
        churn = new Thread(() ->
        {
            for (int i = 0; churning.get(); i++)
            {
                // Every other one never closes its session: it falls silent and the head ends it on expiry.
                final ChainKvClient shortLived = ChainKvClient.connect(cluster.clientConfig()
                    .sessionKeepalive(Duration.ofHours(1)));
                try
                {
                    shortLived.put(("churn-" + i).getBytes(StandardCharsets.UTF_8), new byte[8]);
                    churned.incrementAndGet();
                }
                catch (final ChainKvException ex)
                {
                    // Refused or unknown around the reconfiguration: only the tables' agreement is checked here.
                }
                finally
                {
                    if (0 == i % 2)
                    {
                        shortLived.close();
                    }
                    else
                    {
                        abandoned.add(shortLived);
                    }
                }
            }
        }, "churn");
        churn.start();
        writers.awaitProgress(200, WAIT);

        cluster.node(before.members().get(1).nodeId()).kill9();
        final String joiner = spare;
        final ChainConfig healed = cluster.awaitChain((chain) -> chain.members().size() == 3 &&
            null == chain.joiner() && chain.tail().nodeId().equals(joiner), WAIT);
        writers.awaitProgress(200, WAIT);
        churning.set(false);
        churn.join(30_000);
        writers.stopAndVerify(client);
        assertTrue(churned.get() > 10, "short-lived clients wrote " + churned.get() + " times");

        // Let every abandoned session expire; then nothing changes while the members are compared.
        Thread.sleep(3 * SESSION_TIMEOUT_MS);
        for (final ChainKvClient abandonedClient : abandoned)
        {
            CloseHelper.quietClose(abandonedClient);
        }
        client.close();
        assertMembersIdentical(healed);
    }

    private final List<ChainKvClient> abandoned = new ArrayList<>();

    private void assertMembersIdentical(final ChainConfig chain) throws InterruptedException
    {
        StoreInspection.awaitConverged(chain.members().stream().map((member) -> cluster.node(member.nodeId()))
            .toList(), WAIT);

        final List<Long> digests = new ArrayList<>();
        final List<Long> tables = new ArrayList<>();
        final List<Integer> sessions = new ArrayList<>();
        for (final var member : chain.members())
        {
            final NodeProcess node = cluster.node(member.nodeId());
            node.stop();
            try (ChainStore store = StoreInspection.open(node, new StoreConfig().maxEntries(MAX_ENTRIES)
                .maxDataBytes(StoreInspection.MAX_DATA_BYTES).maxClients(CAPACITY)))
            {
                digests.add(store.digest());
                tables.add(store.clients().digest());
                sessions.add(store.clients().sessionCount());
            }
        }
        assertEquals(1, digests.stream().distinct().count(), "members' stores differ: " + digests);
        assertEquals(1, tables.stream().distinct().count(), "members' exactly-once tables differ: " + tables +
            " (sessions " + sessions + ")");
    }
}
