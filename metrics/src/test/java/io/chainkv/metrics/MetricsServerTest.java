package io.chainkv.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsServerTest
{
    private final HttpClient http = HttpClient.newHttpClient();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private MetricsServer server;

    @AfterEach
    void tearDown()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheRegistryInPrometheusTextFormat() throws Exception
    {
        final Counter counter = Counter.builder().name("things").help("Things.").register(registry);
        server = MetricsServer.start("127.0.0.1", 0, "127.0.0.1", registry, HealthCheck.ALWAYS, HealthCheck.ALWAYS);
        counter.inc(3);

        final HttpResponse<String> response = get(MetricsServer.METRICS_PATH);

        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("things_total 3.0"), response.body());
    }

    @Test
    void healthEndpointsAnswerOkOrServiceUnavailableWithTheReason() throws Exception
    {
        server = MetricsServer.start("127.0.0.1", 0, "127.0.0.1", registry, HealthCheck.ALWAYS, () -> "not in a chain");

        assertEquals(200, get(MetricsServer.LIVE_PATH).statusCode());
        final HttpResponse<String> ready = get(MetricsServer.READY_PATH);
        assertEquals(503, ready.statusCode());
        assertEquals("not in a chain\n", ready.body());
        assertEquals(404, get("/nothing").statusCode());
    }

    @Test
    void endpointNamesTheAdvertisedHostAndTheChosenPort()
    {
        server = MetricsServer.start("127.0.0.1", 0, "node-1.example", registry, HealthCheck.ALWAYS, HealthCheck.ALWAYS);

        assertTrue(server.port() > 0);
        assertEquals("node-1.example:" + server.port(), server.endpoint());
    }
}
