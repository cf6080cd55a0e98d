package io.chainkv.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsServerTest
{
    private final HttpClient http = HttpClient.newHttpClient();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final List<Socket> sockets = new ArrayList<>();
    private MetricsServer server;

    @AfterEach
    void tearDown() throws Exception
    {
        for (final Socket socket : sockets)
        {
            socket.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Socket connect() throws Exception
    {
        final Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        return socket;
    }

    /**
     * @return ms until the server closed the connection (read returned end of stream), reading whatever it sent.
     */
    private static long msUntilClosed(final Socket socket) throws Exception
    {
        final long startNs = System.nanoTime();
        socket.setSoTimeout(20_000);
        final InputStream in = socket.getInputStream();
        try
        {
            while (in.read() >= 0)
            {
                // Drain.
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("the server kept the connection open for 20 s");
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
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

    @Test
    void connectionsThatSendNothingDoNotKeepHealthFromAnsweringAnotherConnection() throws Exception
    {
        server = MetricsServer.start("127.0.0.1", 0, "127.0.0.1", registry, HealthCheck.ALWAYS, HealthCheck.ALWAYS,
            60_000);
        // All workers but one held by connections that send nothing, or half a request.
        for (int i = 0; i < MetricsServer.WORKERS - 2; i++)
        {
            connect();
        }
        final Socket trickling = connect();
        trickling.getOutputStream().write("GET /health/li".getBytes(StandardCharsets.US_ASCII));

        final long startNs = System.nanoTime();
        final HttpResponse<String> response = get(MetricsServer.LIVE_PATH);

        assertEquals(200, response.statusCode());
        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(5), "answered at once, not after a timeout");
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheReadTimeout() throws Exception
    {
        server = MetricsServer.start("127.0.0.1", 0, "127.0.0.1", registry, HealthCheck.ALWAYS, HealthCheck.ALWAYS, 500);
        final Socket silent = connect();

        final long closedAfterMs = msUntilClosed(silent);

        assertTrue(closedAfterMs >= 300 && closedAfterMs < 5000, "closed after " + closedAfterMs + " ms");
    }

    @Test
    void aRequestTrickledByteByByteIsCutOffAtTheTimeoutNotServedForEver() throws Exception
    {
        server = MetricsServer.start("127.0.0.1", 0, "127.0.0.1", registry, HealthCheck.ALWAYS, HealthCheck.ALWAYS, 500);
        final Socket trickling = connect();
        final OutputStream out = trickling.getOutputStream();
        final long startNs = System.nanoTime();
        try
        {
            // A byte every 100 ms never lets a read time out; the deadline still ends the connection.
            for (int i = 0; i < 30 && System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(3); i++)
            {
                out.write('X');
                out.flush();
                Thread.sleep(100);
            }
        }
        catch (final java.io.IOException expected)
        {
            // The server closed it.
        }

        assertTrue(msUntilClosed(trickling) + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) < 6000);
    }

    @Test
    void anUnsupportedMethodIsRefusedAndHeadHasNoBody() throws Exception
    {
        server = MetricsServer.start("127.0.0.1", 0, "127.0.0.1", registry, HealthCheck.ALWAYS, HealthCheck.ALWAYS);

        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
            .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        final HttpResponse<String> head = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + MetricsServer.LIVE_PATH)).method("HEAD",
            HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }
}
