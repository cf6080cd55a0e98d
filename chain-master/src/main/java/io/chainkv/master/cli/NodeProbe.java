package io.chainkv.master.cli;

import io.chainkv.cluster.NodeInfo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the metrics endpoint each live node publishes in its registration, all at once, each within a timeout.
 * A node without an endpoint, or one that does not answer, gets a {@link NodeProgress} that says why.
 */
final class NodeProbe
{
    private NodeProbe()
    {
    }

    /**
     * @param nodes   live nodes by id.
     * @param timeout how long to wait for each.
     * @return progress by node id, for every node given.
     */
    static Map<String, NodeProgress> probe(final Map<String, NodeInfo> nodes, final Duration timeout)
    {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        final Map<String, CompletableFuture<NodeProgress>> pending = new LinkedHashMap<>();
        for (final NodeInfo node : nodes.values())
        {
            final String endpoint = node.metricsEndpoint();
            if (null == endpoint)
            {
                pending.put(node.nodeId(), CompletableFuture.completedFuture(NodeProgress.unreachable(
                    "no metrics endpoint (start the node with --metrics-port)")));
                continue;
            }
            final HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + endpoint + "/metrics"))
                .timeout(timeout)
                .GET()
                .build();
            pending.put(node.nodeId(), http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply((response) -> 200 == response.statusCode() ? NodeProgress.parse(response.body()) :
                    NodeProgress.unreachable("metrics endpoint " + endpoint + " answered " + response.statusCode()))
                .exceptionally((ex) -> NodeProgress.unreachable("metrics endpoint " + endpoint + " did not answer within " +
                    timeout.toMillis() + " ms (" + (null == ex.getCause() ? ex : ex.getCause()).getClass().getSimpleName() +
                    "); is the node paused or overloaded?")));
        }
        final Map<String, NodeProgress> progress = new LinkedHashMap<>();
        pending.forEach((nodeId, future) -> progress.put(nodeId, future.join()));
        return progress;
    }
}
