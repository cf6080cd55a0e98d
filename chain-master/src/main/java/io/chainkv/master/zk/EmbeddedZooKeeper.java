package io.chainkv.master.zk;

import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real standalone ZooKeeper server running inside this process, for a local cluster that has no ensemble.
 * <p>
 * {@link #start} returns only once the server answers the four-letter command {@code srvr} with its
 * {@code Mode:}: the port accepts connections before the server can serve, so "port open" is not "ready". The
 * tick is short (default {@value #DEFAULT_TICK_MS} ms) because the minimum session timeout is two ticks and the
 * session timeout is ChainKV's failure detector. It listens on {@value #DEFAULT_HOST} unless told otherwise: a trial
 * server has no authentication, and anyone who can reach it can rewrite the cluster's configuration.
 */
public final class EmbeddedZooKeeper implements AutoCloseable
{
    /** Default address to listen on: this host only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** Default tick: allows sessions down to 200 ms. */
    public static final int DEFAULT_TICK_MS = 100;

    /** Largest session timeout a client may ask for; above ZooKeeper's 20-tick default so long ones are honoured. */
    public static final int MAX_SESSION_TIMEOUT_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
    private static final String WHITELIST_PROP = "zookeeper.4lw.commands.whitelist";
    private static final int MAX_CLIENT_CONNECTIONS = 1000;

    private final ZooKeeperServer server;
    private final ServerCnxnFactory factory;
    private final Path dataDir;
    private final boolean deleteDataDir;
    private final String host;
    private final int port;
    private final int tickMs;

    private EmbeddedZooKeeper(
        final ZooKeeperServer server,
        final ServerCnxnFactory factory,
        final Path dataDir,
        final boolean deleteDataDir,
        final String host,
        final int tickMs)
    {
        this.server = server;
        this.host = host;
        this.factory = factory;
        this.dataDir = dataDir;
        this.deleteDataDir = deleteDataDir;
        this.port = factory.getLocalPort();
        this.tickMs = tickMs;
    }

    /**
     * Starts a server on {@value #DEFAULT_HOST} and waits until it serves.
     *
     * @param port         port to listen on, 0 for any free port.
     * @param dataDir      where to keep snapshots and logs (kept on close), or null for a temporary directory
     *                     deleted on close.
     * @param tickMs       ZooKeeper tick; sessions may be as short as two ticks.
     * @param readyTimeout how long to wait for {@code srvr} to answer {@code Mode:}.
     * @return the running server.
     * @throws IOException          if the server cannot start or does not become ready in time.
     * @throws InterruptedException if interrupted while starting.
     */
    public static EmbeddedZooKeeper start(final int port, final Path dataDir, final int tickMs, final Duration readyTimeout)
        throws IOException, InterruptedException
    {
        return start(DEFAULT_HOST, port, dataDir, tickMs, readyTimeout);
    }

    /**
     * Starts a server and waits until it serves.
     *
     * @param host         address to listen on ({@value #DEFAULT_HOST}; 0.0.0.0 for every interface).
     * @param port         port to listen on, 0 for any free port.
     * @param dataDir      where to keep snapshots and logs (kept on close), or null for a temporary directory
     *                     deleted on close.
     * @param tickMs       ZooKeeper tick; sessions may be as short as two ticks.
     * @param readyTimeout how long to wait for {@code srvr} to answer {@code Mode:}.
     * @return the running server.
     * @throws IOException          if the server cannot start or does not become ready in time.
     * @throws InterruptedException if interrupted while starting.
     */
    public static EmbeddedZooKeeper start(
        final String host, final int port, final Path dataDir, final int tickMs, final Duration readyTimeout)
        throws IOException, InterruptedException
    {
        if (tickMs <= 0)
        {
            throw new IllegalArgumentException("tick must be > 0 ms, was " + tickMs);
        }
        enableSrvrCommand();
        final boolean temporary = null == dataDir;
        final Path dir = temporary ? Files.createTempDirectory("chainkv-zk-") : dataDir;
        Files.createDirectories(dir);
        ZooKeeperServer server = null;
        ServerCnxnFactory factory = null;
        try
        {
            server = new ZooKeeperServer(dir.toFile(), dir.toFile(), tickMs);
            server.setMinSessionTimeout(2 * tickMs);
            server.setMaxSessionTimeout(Math.max(MAX_SESSION_TIMEOUT_MS, 20 * tickMs));
            factory = ServerCnxnFactory.createFactory(new InetSocketAddress(host, port), MAX_CLIENT_CONNECTIONS);
            factory.startup(server);
            final EmbeddedZooKeeper zk = new EmbeddedZooKeeper(server, factory, dir, temporary, host, tickMs);
            zk.awaitServing(readyTimeout);
            LOG.info("embedded ZooKeeper serving on {}:{} (tick {} ms, data {})", host, zk.port, tickMs, dir);
            return zk;
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            stop(server, factory);
            if (temporary)
            {
                deleteRecursively(dir);
            }
            throw ex;
        }
    }

    /**
     * Sends a four-letter command and returns the whole answer.
     *
     * @param host      server host.
     * @param port      server port.
     * @param command   e.g. "srvr" (must be whitelisted on the server).
     * @param timeoutMs connect and read timeout.
     * @return the server's answer.
     * @throws IOException if the server cannot be reached.
     */
    public static String fourLetterWord(final String host, final int port, final String command, final int timeoutMs)
        throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            final OutputStream out = socket.getOutputStream();
            out.write(command.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final ByteArrayOutputStream answer = new ByteArrayOutputStream();
            final byte[] buffer = new byte[1024];
            int read;
            while ((read = in.read(buffer)) != -1)
            {
                answer.write(buffer, 0, read);
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    public int port()
    {
        return port;
    }

    /**
     * @return the address it listens on.
     */
    public String host()
    {
        return host;
    }

    public int tickMs()
    {
        return tickMs;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @return the connect string clients use.
     */
    public String connectString()
    {
        return connectHost() + ":" + port;
    }

    private String connectHost()
    {
        // A wildcard names no host to connect to; this host's loopback reaches it.
        return "0.0.0.0".equals(host) || "::".equals(host) ? DEFAULT_HOST : host.contains(":") ? "[" + host + "]" : host;
    }

    /**
     * Stops the server; deletes the data directory if it was a temporary one.
     */
    public void close()
    {
        stop(server, factory);
        if (deleteDataDir)
        {
            deleteRecursively(dataDir);
        }
        LOG.info("embedded ZooKeeper on port {} stopped", port);
    }

    private void awaitServing(final Duration timeout) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadlineNs)
        {
            try
            {
                final String answer = fourLetterWord(connectHost(), port, "srvr", 1000);
                if (answer.contains("Mode:"))
                {
                    return;
                }
                last = answer.strip();
            }
            catch (final IOException ex)
            {
                last = ex.toString();
            }
            Thread.sleep(20);
        }
        throw new IOException("embedded ZooKeeper on port " + port + " not serving after " + timeout.toMillis() +
            " ms; last answer to srvr: " + last);
    }

    private static void enableSrvrCommand()
    {
        // ZooKeeper reads the whitelist once per JVM, on the first four-letter command: set it before starting.
        final String whitelist = System.getProperty(WHITELIST_PROP);
        if (null == whitelist || whitelist.isBlank())
        {
            System.setProperty(WHITELIST_PROP, "srvr,ruok");
        }
        else if (!whitelist.contains("srvr") && !whitelist.contains("*"))
        {
            System.setProperty(WHITELIST_PROP, whitelist + ",srvr");
        }
    }

    private static void stop(final ZooKeeperServer server, final ServerCnxnFactory factory)
    {
        if (null != factory)
        {
            factory.shutdown();
        }
        if (null != server)
        {
            server.shutdown();
            try
            {
                if (null != server.getTxnLogFactory())
                {
                    server.getTxnLogFactory().close();
                }
            }
            catch (final IOException ex)
            {
                LOG.warn("closing ZooKeeper logs: {}", ex.toString());
            }
        }
    }

    private static void deleteRecursively(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            LOG.warn("could not delete {}: {}", dir, ex.toString());
        }
    }
}
