package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.VersionedValue;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.master.harness.MasterProcess;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Failures of the control plane and of timing: the active master, a paused node, the ZooKeeper server, and a
 * client holding an old configuration.
 */
@Timeout(240)
class ControlPlaneFailoverTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private LocalCluster cluster;
    private ChainKvClient client;
    private ChainKvClient staleClient;
    private ContinuousWriters writers;

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != writers)
        {
            writers.close();
        }
        CloseHelper.quietCloseAll(staleClient, client, cluster);
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private void start()
    {
        start(FailoverClusters.builder());
    }

    private void start(final LocalCluster.Builder builder)
    {
        cluster = builder.start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(10)));
    }

    @Test
    void standbyMasterFinishesTheSpliceWhenTheActiveMasterDiesWithANode() throws Exception
    {
        start(FailoverClusters.builder().masters(2));
        writers = new ContinuousWriters(client, 8);
        writers.awaitProgress(100, WAIT);
        final ChainConfig before = cluster.currentConfig().chain(0);
        final String middle = before.members().get(1).nodeId();
        final MasterProcess leader = cluster.awaitLeader(WAIT);

        leader.kill9();
        cluster.node(middle).kill9();

        final ChainConfig after = cluster.awaitChain((chain) -> chain.indexOf(middle) < 0, WAIT);
        writers.awaitProgress(100, WAIT);
        assertEquals(List.of(before.head(), before.tail()), after.members());
        writers.stopAndVerify(client);
    }

    @Test
    void tailPausedPastItsSessionAnswersNothingFromItsOldEpochWhenResumed() throws Exception
    {
        // Without healing the resumed node stays a spare, so its applied seq shows whether it acted on its old
        // epoch; with healing it would rejoin as joiner and apply updates legitimately.
        start(FailoverClusters.builder().masterArgs("--no-heal"));
        client.put(utf8("k"), utf8("old"));
        final ChainConfig before = cluster.currentConfig().chain(0);
        final NodeProcess oldTail = cluster.node(before.tail().nodeId());
        // A client that still believes in the old configuration reads from the old tail.
        staleClient = ChainKvClient.connect(new ClientConfig().chainConfig(before)
            .attemptTimeout(Duration.ofMillis(500)).requestTimeout(Duration.ofSeconds(4)));
        assertEquals("old", new String(staleClient.get(utf8("k")).value(), StandardCharsets.UTF_8));

        oldTail.sigstop();
        cluster.awaitChain((chain) -> chain.indexOf(oldTail.id()) < 0, WAIT);
        client.put(utf8("k"), utf8("new"));
        final long appliedWhilePaused = NodeCountersReader.read(oldTail.aeronDir().toFile()).get("last applied seq");

        // Queued at the paused node; answered (if at all) only after it resumes.
        final CompletableFuture<VersionedValue> staleRead = staleClient.getAsync(utf8("k"));
        Thread.sleep(200);
        oldTail.sigcont();

        final ExecutionException refused = assertThrows(ExecutionException.class,
            () -> staleRead.get(30, TimeUnit.SECONDS), "the resumed tail must not answer from its old epoch");
        final ExecutionException stillRefused = assertThrows(ExecutionException.class,
            () -> staleClient.getAsync(utf8("k")).get(30, TimeUnit.SECONDS));
        assertEquals(appliedWhilePaused,
            NodeCountersReader.read(oldTail.aeronDir().toFile()).get("last applied seq"),
            "the resumed tail applied (and so could acknowledge) updates after it was removed: " + refused + stillRefused);
        assertEquals("new", new String(client.get(utf8("k")).value(), StandardCharsets.UTF_8));
    }

    @Test
    void zooKeeperRestartLosesNoAcknowledgedWrite() throws Exception
    {
        start();
        writers = new ContinuousWriters(client, 8);
        writers.awaitProgress(100, WAIT);

        cluster.zooKeeper().kill9();
        Thread.sleep(1000);
        cluster.zooKeeper().restart();

        writers.awaitProgress(100, Duration.ofSeconds(60));
        writers.stopAndVerify(client);
    }

    @Test
    void clientConnectedBeforeAReconfigurationFindsTheNewChainByItself() throws Exception
    {
        start();
        client.put(utf8("k"), utf8("1"));
        final ChainConfig before = cluster.currentConfig().chain(0);

        cluster.node(before.head().nodeId()).kill9();
        cluster.awaitChain((chain) -> chain.indexOf(before.head().nodeId()) < 0, WAIT);

        client.put(utf8("k"), utf8("2"));
        assertEquals("2", new String(client.get(utf8("k")).value(), StandardCharsets.UTF_8));
    }
}
