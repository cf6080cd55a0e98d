package io.chainkv.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP endpoint of a ChainKV process (node or master):
 * <ul>
 *     <li>{@value #METRICS_PATH}: every metric in Prometheus text format (the Prometheus Java client's handler);</li>
 *     <li>{@value #LIVE_PATH}: 200 while the process works, 503 with a sentence when it is stuck;</li>
 *     <li>{@value #READY_PATH}: 200 while it does its job (a node serves its chain, a master reaches
 *     ZooKeeper), 503 with the reason otherwise.</li>
 * </ul>
 * Everything is read at request time on the server's own thread (one, a daemon), never on a data path.
 */
public final class MetricsServer implements AutoCloseable
{
    public static final String METRICS_PATH = "/metrics";
    public static final String LIVE_PATH = "/health/live";
    public static final String READY_PATH = "/health/ready";

    private final HTTPServer server;
    private final String advertisedHost;

    private MetricsServer(final HTTPServer server, final String advertisedHost)
    {
        this.server = server;
        this.advertisedHost = advertisedHost;
    }

    /**
     * @param bindHost       address to listen on (0.0.0.0 for every interface).
     * @param port           TCP port; 0 picks a free one ({@link #port()} tells which).
     * @param advertisedHost host others should use to reach it (what {@link #endpoint()} names).
     * @param registry       the metrics to serve.
     * @param live           the liveness check.
     * @param ready          the readiness check.
     * @return the running server.
     * @throws IllegalStateException naming the port if it cannot listen.
     */
    public static MetricsServer start(
        final String bindHost,
        final int port,
        final String advertisedHost,
        final PrometheusRegistry registry,
        final HealthCheck live,
        final HealthCheck ready)
    {
        final ExecutorService executor = Executors.newSingleThreadExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, "chainkv-metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            // Paths the library does not serve itself ("/" and below) come to the default handler.
            final HTTPServer server = HTTPServer.builder()
                .hostname(bindHost)
                .port(port)
                .registry(registry)
                .executorService(executor)
                .defaultHandler((exchange) -> handleOther(exchange, live, ready))
                .buildAndStart();
            return new MetricsServer(server, advertisedHost);
        }
        catch (final IOException ex)
        {
            executor.shutdownNow();
            throw new IllegalStateException("cannot serve metrics on " + bindHost + ":" + port + " (" + ex.getMessage() +
                "); choose another --metrics-port, or 0 for any free port", ex);
        }
    }

    /**
     * @return the port it listens on.
     */
    public int port()
    {
        return server.getPort();
    }

    /**
     * @return host:port others reach it at.
     */
    public String endpoint()
    {
        return advertisedHost + ":" + server.getPort();
    }

    public void close()
    {
        server.close();
    }

    private static void handleOther(final HttpExchange exchange, final HealthCheck live, final HealthCheck ready)
        throws IOException
    {
        try (exchange)
        {
            final String path = exchange.getRequestURI().getPath();
            if (LIVE_PATH.equals(path))
            {
                answer(exchange, live.problem());
            }
            else if (READY_PATH.equals(path))
            {
                answer(exchange, ready.problem());
            }
            else if ("/".equals(path))
            {
                send(exchange, 200, "ChainKV: " + METRICS_PATH + " " + LIVE_PATH + " " + READY_PATH + "\n");
            }
            else
            {
                send(exchange, 404, "not found; try " + METRICS_PATH + ", " + LIVE_PATH + " or " + READY_PATH + "\n");
            }
        }
    }

    private static void answer(final HttpExchange exchange, final String problem) throws IOException
    {
        if (null == problem)
        {
            send(exchange, 200, "OK\n");
        }
        else
        {
            send(exchange, 503, problem + "\n");
        }
    }

    private static void send(final HttpExchange exchange, final int status, final String body) throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }
}
