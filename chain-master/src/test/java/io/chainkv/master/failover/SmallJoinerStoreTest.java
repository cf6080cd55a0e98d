package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.cluster.NodeState;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A spare whose store is smaller than the chain's data is given the joiner place: it stops its transfer at the
 * first entry that does not fit, says so once (an ERROR naming the setting to raise) and in a counter, asks for
 * nothing more, and registers as DRAINING, so the master takes it out of the joiner place; the chain keeps serving.
 * Real processes.
 */
@Timeout(300)
class SmallJoinerStoreTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int KEYS = 500;
    private static final int SMALL_MAX_ENTRIES = 100;
    private static final String STOPPED = "transfers stopped, store too small";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LocalCluster cluster;
    private ChainKvClient client;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, cluster);
    }

    private static HttpResponse<String> get(final String endpoint, final String path) throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + endpoint + path)).timeout(WAIT).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void joinerWithATooSmallStoreStopsOnceSaysWhyAndStaysOut() throws Exception
    {
        cluster = FailoverClusters.builder().nodes(3).masters(1).replicationFactor(2).metrics().start();
        final ChainConfig before = cluster.awaitChain((chain) -> chain.members().size() == 2, WAIT);
        final String spareId = cluster.nodes().stream().map(NodeProcess::id)
            .filter((id) -> before.indexOf(id) < 0).findFirst().orElseThrow();
        final String headId = before.head().nodeId();
        final NodeProcess spare = cluster.node(spareId);

        // Store limits are fixed when a store is created: the spare starts again on an empty directory.
        spare.stop();
        LocalChain.deleteRecursively(spare.dataDir());
        cluster.nodeOption(spareId, "--max-entries", Integer.toString(SMALL_MAX_ENTRIES));
        spare.restart();

        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(20)));
        for (int i = 0; i < KEYS; i++)
        {
            client.put(utf8("k" + i), utf8("v" + i));
        }
        cluster.node(before.tail().nodeId()).kill9();
        final ChainConfig joining = cluster.awaitChain((chain) -> null != chain.joiner() &&
            spareId.equals(chain.joiner().nodeId()), WAIT);
        assertEquals(1, joining.members().size(), joining.toString());

        final long deadlineNs = System.nanoTime() + WAIT.toNanos();
        Map<String, Long> counters = NodeCountersReader.read(spare.aeronDir().toFile());
        while (1 != counters.get(STOPPED) && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(100);
            counters = NodeCountersReader.read(spare.aeronDir().toFile());
        }
        assertEquals(1, counters.get(STOPPED), () -> "the joiner did not stop: " + spare.logTail(40));
        assertTrue(counters.get("store entries") <= SMALL_MAX_ENTRIES, counters.toString());

        // No tight loop: nothing more is asked of the tail, in the joiner place or after it.
        TimeUnit.SECONDS.sleep(3);
        final Map<String, Long> later = NodeCountersReader.read(spare.aeronDir().toFile());
        assertEquals(counters.get("join requests sent"), later.get("join requests sent"));
        assertTrue(later.get("resend requests sent") <= counters.get("resend requests sent") + 1,
            counters + " then " + later);
        assertEquals(0, later.get("transfers caught up as joiner"));

        final String log = Files.readString(spare.logFile());
        final long errors = log.lines().filter((line) -> line.contains("cannot hold the chain's data")).count();
        assertEquals(1, errors, log);
        final String error = log.lines().filter((line) -> line.contains("cannot hold the chain's data"))
            .findFirst().orElseThrow();
        assertTrue(error.contains("ERROR") && error.contains("max-entries " + SMALL_MAX_ENTRIES) &&
            error.contains("raise max-entries"), error);

        final String endpoint = LocalCluster.metricsEndpointOf(spare.process());
        final HttpResponse<String> ready = get(endpoint, "/health/ready");
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().contains("store is too small for the chain's data"), ready.body());
        assertTrue(get(endpoint, "/metrics").body().contains("chainkv_node_transfers_stopped_store_too_small_total 1"),
            "the metric says so too");

        final ChainConfig now = cluster.currentConfig().chain(0);
        assertEquals(headId, now.head().nodeId());
        assertTrue(now.indexOf(spareId) < 0, "the joiner never became a member: " + now);
        assertTrue(client.put(utf8("after"), utf8("v")) > 0, "the chain still serves");

        // The node registers as DRAINING, so the master takes it out of the joiner place by itself and never offers
        // it a place again; the chain waits for a spare that can hold its data.
        final ChainConfig dropped = cluster.awaitChain((chain) -> null == chain.joiner(), WAIT);
        assertEquals(1, dropped.members().size(), dropped.toString());
        assertEquals(headId, dropped.members().stream().map(ChainMember::nodeId).findFirst().orElseThrow());
        assertEquals(NodeState.DRAINING, cluster.status().liveNodes().get(spareId).state());
    }
}
