package io.chainkv.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP endpoint of a ChainKV process (node or master):
 * <ul>
 *     <li>{@value #METRICS_PATH}: every metric in Prometheus text format;</li>
 *     <li>{@value #LIVE_PATH}: 200 while the process works, 503 with a sentence when it is stuck;</li>
 *     <li>{@value #READY_PATH}: 200 while it does its job (a node serves its chain, a master reaches
 *     ZooKeeper), 503 with the reason otherwise.</li>
 * </ul>
 * A small HTTP/1.0-style server of its own, one request per connection, so that it can promise what a health check
 * needs: {@value #WORKERS} connections are served at once, and every connection is closed {@code readTimeoutMs} after
 * it was accepted whether or not it finished (default {@value #DEFAULT_READ_TIMEOUT_MS} ms), so a connection that
 * sends nothing, or trickles its request, or never reads its answer, holds one worker for that long at most and
 * {@code /health} keeps answering on the others. More connections than workers wait in a short queue; beyond it they
 * are closed at once. The JDK's server this replaced served one connection at a time with no read timeout.
 * <p>
 * Everything is read at request time on the server's own daemon threads, never on a data path.
 */
public final class MetricsServer implements AutoCloseable
{
    public static final String METRICS_PATH = "/metrics";
    public static final String LIVE_PATH = "/health/live";
    public static final String READY_PATH = "/health/ready";

    /** Connections served at once. */
    public static final int WORKERS = 4;
    /** How long a connection may take, from accept to the last byte of the answer. */
    public static final int DEFAULT_READ_TIMEOUT_MS = 3000;

    private static final String TEXT = "text/plain; charset=utf-8";
    private static final int QUEUED_CONNECTIONS = 16;
    private static final int MAX_REQUEST_HEAD_BYTES = 8192;
    private static final int BACKLOG = 50;

    private final ServerSocket serverSocket;
    private final String advertisedHost;
    private final PrometheusRegistry registry;
    private final HealthCheck live;
    private final HealthCheck ready;
    private final int readTimeoutMs;
    private final PrometheusTextFormatWriter textFormat = PrometheusTextFormatWriter.create();
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor deadlines;
    private final Thread acceptor;
    private volatile boolean closed;

    private MetricsServer(
        final ServerSocket serverSocket,
        final String advertisedHost,
        final PrometheusRegistry registry,
        final HealthCheck live,
        final HealthCheck ready,
        final int readTimeoutMs)
    {
        this.serverSocket = serverSocket;
        this.advertisedHost = advertisedHost;
        this.registry = registry;
        this.live = live;
        this.ready = ready;
        this.readTimeoutMs = readTimeoutMs;
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUED_CONNECTIONS), daemons("chainkv-metrics-http"));
        this.deadlines = new ScheduledThreadPoolExecutor(1, daemons("chainkv-metrics-deadline"));
        deadlines.setRemoveOnCancelPolicy(true);
        this.acceptor = daemons("chainkv-metrics-accept").newThread(this::acceptLoop);
    }

    /**
     * @param bindHost       address to listen on (127.0.0.1 by default; 0.0.0.0 for every interface).
     * @param port           TCP port; 0 picks a free one ({@link #port()} tells which).
     * @param advertisedHost host others should use to reach it (what {@link #endpoint()} names).
     * @param registry       the metrics to serve.
     * @param live           the liveness check.
     * @param ready          the readiness check.
     * @return the running server, with the default read timeout.
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
        return start(bindHost, port, advertisedHost, registry, live, ready, DEFAULT_READ_TIMEOUT_MS);
    }

    /**
     * @param bindHost       address to listen on.
     * @param port           TCP port; 0 picks a free one.
     * @param advertisedHost host others should use to reach it.
     * @param registry       the metrics to serve.
     * @param live           the liveness check.
     * @param ready          the readiness check.
     * @param readTimeoutMs  a connection is closed this long after it was accepted, answered or not.
     * @return the running server.
     * @throws IllegalStateException naming the port if it cannot listen.
     */
    public static MetricsServer start(
        final String bindHost,
        final int port,
        final String advertisedHost,
        final PrometheusRegistry registry,
        final HealthCheck live,
        final HealthCheck ready,
        final int readTimeoutMs)
    {
        if (readTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("read timeout must be > 0 ms, was " + readTimeoutMs);
        }
        ServerSocket serverSocket = null;
        try
        {
            serverSocket = new ServerSocket();
            serverSocket.setReuseAddress(true);
            serverSocket.bind(new InetSocketAddress(InetAddress.getByName(bindHost), port), BACKLOG);
            final MetricsServer server =
                new MetricsServer(serverSocket, advertisedHost, registry, live, ready, readTimeoutMs);
            server.acceptor.start();
            return server;
        }
        catch (final IOException ex)
        {
            closeQuietly(serverSocket);
            throw new IllegalStateException("cannot serve metrics on " + bindHost + ":" + port + " (" + ex.getMessage() +
                "); choose another --metrics-port, or 0 for any free port", ex);
        }
    }

    /**
     * @param bindHost      the address the endpoint listens on.
     * @param processHost   the host others know the process by (a node's endpoint host, a master's host name).
     * @return the host to advertise: the bind address itself, unless it is a wildcard, which names no host.
     */
    public static String advertisedHost(final String bindHost, final String processHost)
    {
        return "0.0.0.0".equals(bindHost) || "::".equals(bindHost) || "[::]".equals(bindHost) ? processHost : bindHost;
    }

    /**
     * @return the port it listens on.
     */
    public int port()
    {
        return serverSocket.getLocalPort();
    }

    /**
     * @return host:port others reach it at.
     */
    public String endpoint()
    {
        return advertisedHost + ":" + port();
    }

    public void close()
    {
        closed = true;
        closeQuietly(serverSocket);
        workers.shutdownNow();
        deadlines.shutdownNow();
        try
        {
            acceptor.join(1000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final Socket connection;
            try
            {
                connection = serverSocket.accept();
            }
            catch (final IOException ex)
            {
                if (closed)
                {
                    return;
                }
                continue;
            }
            try
            {
                // The deadline covers the whole exchange, the wait for a worker included: a read timeout alone would
                // let a peer trickle a byte at a time, or never read the answer, and keep the worker for ever.
                final ScheduledFuture<?> deadline =
                    deadlines.schedule(() -> closeQuietly(connection), readTimeoutMs, TimeUnit.MILLISECONDS);
                workers.execute(() -> serve(connection, deadline));
            }
            catch (final RejectedExecutionException ex)
            {
                // Every worker busy and the queue full (or closing): shed this one rather than queue without bound.
                closeQuietly(connection);
            }
        }
    }

    private void serve(final Socket connection, final ScheduledFuture<?> deadline)
    {
        try (connection)
        {
            connection.setSoTimeout(readTimeoutMs);
            final String requestLine = readRequestHead(connection.getInputStream());
            if (null == requestLine)
            {
                return;
            }
            answer(connection.getOutputStream(), requestLine);
        }
        catch (final IOException ex)
        {
            // Timed out, closed by its deadline, or the peer went away: nothing to answer.
        }
        finally
        {
            deadline.cancel(false);
        }
    }

    /**
     * @return the request line, or null if the peer closed or sent more than a request head may hold.
     */
    private static String readRequestHead(final InputStream in) throws IOException
    {
        final byte[] head = new byte[MAX_REQUEST_HEAD_BYTES];
        int length = 0;
        while (length < head.length)
        {
            final int read = in.read(head, length, head.length - length);
            if (read < 0)
            {
                return null;
            }
            length += read;
            final int end = endOfHead(head, length);
            if (end >= 0)
            {
                final String text = new String(head, 0, end, StandardCharsets.ISO_8859_1);
                final int eol = text.indexOf('\n');
                return (eol < 0 ? text : text.substring(0, eol)).trim();
            }
        }
        return null;
    }

    private static int endOfHead(final byte[] head, final int length)
    {
        for (int i = 0; i + 1 < length; i++)
        {
            if (head[i] == '\n' && (head[i + 1] == '\n' || (head[i + 1] == '\r' && i + 2 < length && head[i + 2] == '\n')))
            {
                return i;
            }
        }
        return -1;
    }

    private void answer(final OutputStream out, final String requestLine) throws IOException
    {
        final String[] parts = requestLine.split(" ");
        final String method = parts[0];
        final boolean head = "HEAD".equals(method);
        if (parts.length < 2 || (!"GET".equals(method) && !head))
        {
            send(out, 405, "Method Not Allowed", TEXT, bytes("only GET and HEAD\n"), head);
            return;
        }
        final String target = parts[1];
        final int query = target.indexOf('?');
        final String path = query < 0 ? target : target.substring(0, query);
        if (METRICS_PATH.equals(path))
        {
            final ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
            textFormat.write(body, registry.scrape());
            send(out, 200, "OK", textFormat.getContentType(), body.toByteArray(), head);
        }
        else if (LIVE_PATH.equals(path))
        {
            health(out, live.problem(), head);
        }
        else if (READY_PATH.equals(path))
        {
            health(out, ready.problem(), head);
        }
        else if ("/".equals(path))
        {
            send(out, 200, "OK", TEXT, bytes("ChainKV: " + METRICS_PATH + " " + LIVE_PATH + " " + READY_PATH + "\n"),
                head);
        }
        else
        {
            send(out, 404, "Not Found", TEXT,
                bytes("not found; try " + METRICS_PATH + ", " + LIVE_PATH + " or " + READY_PATH + "\n"), head);
        }
    }

    private static void health(final OutputStream out, final String problem, final boolean head) throws IOException
    {
        if (null == problem)
        {
            send(out, 200, "OK", TEXT, bytes("OK\n"), head);
        }
        else
        {
            send(out, 503, "Service Unavailable", TEXT, bytes(problem + "\n"), head);
        }
    }

    private static void send(
        final OutputStream out,
        final int status,
        final String reason,
        final String contentType,
        final byte[] body,
        final boolean headOnly) throws IOException
    {
        final String header = "HTTP/1.1 " + status + " " + reason + "\r\n" +
            "Content-Type: " + contentType + "\r\n" +
            "Content-Length: " + body.length + "\r\n" +
            "Connection: close\r\n\r\n";
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        if (!headOnly)
        {
            out.write(body);
        }
        out.flush();
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void closeQuietly(final Closeable closeable)
    {
        if (null != closeable)
        {
            try
            {
                closeable.close();
            }
            catch (final IOException ignore)
            {
                // Closing is all that was wanted.
            }
        }
    }

    private static ThreadFactory daemons(final String name)
    {
        return (runnable) ->
        {
            final Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
