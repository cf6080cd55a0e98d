package io.chainkv.master.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainkv.config.ChainMember;
import io.chainkv.master.harness.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * chainctl and the metrics endpoints against a real local cluster: ZooKeeper, one master and three nodes, each
 * a process of its own. One cluster serves every test; the last one kills a node.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChainCtlClusterTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalCluster cluster;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void startCluster()
    {
        // Sessions of 5 s: this test is about what chainctl shows, not how fast a failure is noticed, and a
        // loaded machine (stalls of 3 s were seen) must not splice healthy nodes out under it.
        cluster = LocalCluster.builder().name("ChainCtlClusterTest").nodes(3).masters(1).metrics()
            .sessionTimeoutMs(5000).startTimeout(Duration.ofSeconds(120)).start();
    }

    @AfterAll
    static void stopCluster()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private int chainctl(final String... args)
    {
        final String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--zk";
        all[args.length + 1] = cluster.zkConnect();
        all[args.length + 2] = "--cluster";
        all[args.length + 3] = cluster.clusterName();
        out.reset();
        err.reset();
        return ChainCtl.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String get(final String endpoint, final String path) throws Exception
    {
        final HttpResponse<String> response = HTTP.send(
            HttpRequest.newBuilder(URI.create("http://" + endpoint + path)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /**
     * @return the value of one series (name with labels, exactly as exposed) in a /metrics answer, or -1.
     */
    private static double metric(final String metrics, final String series)
    {
        for (final String line : metrics.split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return -1;
    }

    /**
     * @return the chain's members head first; the master orders them by registration, so not by id.
     */
    private static List<String> order()
    {
        return cluster.currentConfig().chain(0).members().stream().map(ChainMember::nodeId).toList();
    }

    private static String nodeMetrics(final String nodeId) throws Exception
    {
        return get(LocalCluster.metricsEndpointOf(cluster.node(nodeId).process()), "/metrics");
    }

    @Test
    @Order(1)
    void putGetAndDeleteGoThroughTheChainAndExitWithWhatHappened()
    {
        assertEquals(ChainCtl.EXIT_OK, chainctl("put", "colour", "blue"), () -> out() + err);
        assertTrue(out().startsWith("OK version="), out());

        assertEquals(ChainCtl.EXIT_OK, chainctl("get", "colour"), () -> out() + err);
        assertEquals("blue\n", out());

        assertEquals(ChainCtl.EXIT_OK, chainctl("delete", "colour"), () -> out() + err);
        assertEquals(ChainCtl.EXIT_NOT_FOUND, chainctl("get", "colour"), () -> out() + err);
        assertEquals("NOT_FOUND\n", out());
    }

    @Test
    @Order(2)
    void statusJsonParsesAndShowsEachMembersStateProgressAndStoreUse() throws Exception
    {
        assertEquals(ChainCtl.EXIT_OK, chainctl("put", "shape", "round"), () -> out() + err);

        assertEquals(ChainCtl.EXIT_OK, chainctl("status", "--json", "--probe-timeout-ms", "10000"), () -> out() + err);

        final JsonNode status = new ObjectMapper().readTree(out());
        assertEquals(1, status.get("epoch").asLong());
        final JsonNode members = status.get("chains").get(0).get("members");
        assertEquals(3, members.size(), out());
        for (final JsonNode member : members)
        {
            assertEquals("serving", member.get("state").asText(), out());
            assertTrue(member.get("appliedSeq").asLong() >= 1, out());
            assertTrue(member.get("committedSeq").asLong() >= 1, out());
            assertEquals(1_000_000, member.get("store").get("capacityEntries").asLong(), out());
            assertTrue(member.get("store").get("entries").asLong() >= 1, out());
        }
        assertEquals("HEAD", members.get(0).get("role").asText());
        assertEquals("TAIL", members.get(2).get("role").asText());
        assertTrue(status.get("masters").get(0).get("leader").asBoolean(), out());
    }

    @Test
    @Order(3)
    void nodeMetricsCountRequestsByTypeAndStatusAndCommitLatencyAsTrafficFlows() throws Exception
    {
        final String head = order().get(0);
        final String tail = order().get(2);
        final String tailBefore = nodeMetrics(tail);
        final String headBefore = nodeMetrics(head);
        final String getNotFound = "chainkv_node_requests_total{op=\"GET\",status=\"NOT_FOUND\"}";
        final double notFoundBefore = sumOverNodes(getNotFound);

        for (int i = 0; i < 5; i++)
        {
            assertEquals(ChainCtl.EXIT_OK, chainctl("put", "key-" + i, "value-" + i), () -> out() + err);
        }
        assertEquals(ChainCtl.EXIT_NOT_FOUND, chainctl("get", "absent"), () -> out() + err);

        final String tailAfter = nodeMetrics(tail);
        final String headAfter = nodeMetrics(head);
        final String putOk = "chainkv_node_requests_total{op=\"PUT\",status=\"OK\"}";
        assertTrue(metric(tailAfter, putOk) - metric(tailBefore, putOk) >= 5, tailAfter);
        // Any member answers reads (CRAQ): the miss is counted by whichever one the client chose.
        assertTrue(sumOverNodes(getNotFound) - notFoundBefore >= 1, "GET NOT_FOUND on no node");
        assertTrue(metric(headAfter, "chainkv_node_commit_latency_seconds_count") -
            metric(headBefore, "chainkv_node_commit_latency_seconds_count") >= 5, headAfter);
        assertTrue(metric(headAfter, "chainkv_node_applied_seq") >= 5, headAfter);
        assertEquals(1, metric(headAfter, "chainkv_node_role{role=\"HEAD\"}"), headAfter);
        assertEquals(1, metric(headAfter, "chainkv_zookeeper_connected"), headAfter);
        assertTrue(metric(headAfter, "chainkv_node_store_entries") >= 5, headAfter);
        assertEquals("200 OK\n", get(LocalCluster.metricsEndpointOf(cluster.node(order().get(1)).process()),
            "/health/ready"));
    }

    private double sumOverNodes(final String metricName) throws Exception
    {
        double sum = 0;
        for (final String nodeId : order())
        {
            sum += metric(nodeMetrics(nodeId), metricName);
        }
        return sum;
    }

    @Test
    @Order(4)
    void masterMetricsShowTheLeaderAndTheEpoch() throws Exception
    {
        final String metrics = get(LocalCluster.metricsEndpointOf(cluster.master("m1").process()), "/metrics");

        assertEquals(1, metric(metrics, "chainkv_master_leader"), metrics);
        assertEquals(1, metric(metrics, "chainkv_master_config_epoch"), metrics);
        assertEquals(3, metric(metrics, "chainkv_master_chain_members{chain=\"0\"}"), metrics);
        assertEquals(1, metric(metrics, "chainkv_zookeeper_connected"), metrics);
    }

    @Test
    @Order(5)
    void statusAfterAKillShowsTheSplice() throws Exception
    {
        final List<String> before = order();
        cluster.node(before.get(1)).kill9();
        cluster.awaitChain(chain -> chain.indexOf(before.get(1)) < 0, WAIT);

        assertEquals(ChainCtl.EXIT_OK, chainctl("status", "--probe-timeout-ms", "10000"), () -> out() + err);

        final String text = out();
        final long epoch = cluster.currentConfig().epoch();
        assertTrue(epoch >= 2, text);
        assertTrue(text.contains("chain 0 (epoch " + epoch + "): " + String.join(" -> ", order()) + "\n"), text);
        assertTrue(!text.contains(" " + before.get(1) + " "), text); // spliced out, and not back as a spare
        assertTrue(text.matches("(?s).*\\n  " + order().get(0) + " +HEAD(_TAIL)? +serving .*"), text);
        final String master = get(LocalCluster.metricsEndpointOf(cluster.master("m1").process()), "/metrics");
        assertTrue(metric(master, "chainkv_master_reconfigurations_total") >= 1, master);
        assertEquals(epoch, metric(master, "chainkv_master_config_epoch"), master);
        assertTrue(metric(nodeMetrics(before.get(0)), "chainkv_node_reconfigurations_total") >= 2);
    }
}
