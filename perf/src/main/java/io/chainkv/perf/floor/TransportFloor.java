package io.chainkv.perf.floor;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.chainkv.perf.OpStats;
import io.chainkv.transport.Channels;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.TransportSettings;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures the transport floor: round trips of raw Aeron messages from this process through {@code hops}
 * forwarding processes ({@link FloorHopMain}) and back, e.g. client -> hop1 -> hop2 -> hop3 -> client for a
 * 3-node chain's writes, with the same transport settings, the same process count and the same message size
 * as the chain. The chain's latency divided by this is the overhead of everything that is not transport.
 * <p>
 * The hop processes are started for one measurement and killed after it, with their Aeron directories.
 */
public final class TransportFloor
{
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WARMUP = Duration.ofSeconds(1);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(2);

    private final ChildJvm jvm;
    private final Path logDir;

    /**
     * @param jvm    how to start the hop processes.
     * @param logDir where their logs go (floor-hop-N.log).
     */
    public TransportFloor(final ChildJvm jvm, final Path logDir)
    {
        this.jvm = jvm;
        this.logDir = logDir;
    }

    /**
     * @param hops         forwarding processes between the sender and itself, at least 1.
     * @param messageBytes size of each message, at least 8.
     * @param inFlight     messages kept outstanding (a closed loop, like the runner's).
     * @param duration     how long to measure, after a one-second warm-up.
     * @return round-trip latencies in nanoseconds.
     * @throws Exception if the hops do not start or no message comes back.
     */
    public Histogram measure(final int hops, final int messageBytes, final int inFlight, final Duration duration)
        throws Exception
    {
        if (hops < 1 || messageBytes < 8 || inFlight < 1)
        {
            throw new IllegalArgumentException("hops >= 1, messageBytes >= 8, inFlight >= 1 required");
        }
        final TransportSettings settings = TransportSettings.fromSystemProperties();
        Files.createDirectories(logDir);
        final Path aeronParent = Files.createTempDirectory(
            Files.isWritable(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir")),
            "chainkv-floor-");
        final List<Process> processes = new ArrayList<>();
        // The client's driver runs as the chain client's does: on the measuring thread unless set to shared.
        final File clientDir = aeronParent.resolve("client").toFile();
        try (EmbeddedAeron aeron = settings.clientDriverInvoked() ?
            EmbeddedAeron.launchInvoked(clientDir, settings) : EmbeddedAeron.launch(clientDir, settings);
            Subscription replies = aeron.aeron().addSubscription("aeron:udp?endpoint=" + HOST + ":0",
                FloorHopMain.STREAM_ID))
        {
            final String replyEndpoint = resolve(replies, aeron);
            final List<Integer> ports = freeUdpPorts(hops);
            final List<Path> logs = new ArrayList<>();
            for (int i = 0; i < hops; i++)
            {
                final String listen = HOST + ":" + ports.get(i);
                final String next = i + 1 < hops ? HOST + ":" + ports.get(i + 1) : replyEndpoint;
                final Path log = logDir.resolve("floor-hop-" + (i + 1) + ".log");
                logs.add(log);
                processes.add(new ProcessBuilder(jvm.command(FloorHopMain.class.getName(),
                    List.of("--listen", listen, "--next", next),
                    List.of(EmbeddedAeron.AERON_DIR_PARENT_PROP + "=" + aeronParent)))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start());
            }
            for (int i = 0; i < hops; i++)
            {
                awaitReady(processes.get(i), logs.get(i), aeron);
            }
            try (Publication publication = aeron.aeron().addPublication(
                Channels.udp(HOST + ":" + ports.get(0), settings), FloorHopMain.STREAM_ID))
            {
                return roundTrips(aeron, publication, replies, settings.newIdleStrategy(), messageBytes, inFlight,
                    duration);
            }
        }
        finally
        {
            for (final Process process : processes)
            {
                process.destroy();
            }
            for (final Process process : processes)
            {
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            IoUtil.delete(aeronParent.toFile(), true);
        }
    }

    /**
     * Measures on the calling thread, which works like an agent in its duty cycle: it runs the client's driver when
     * that is invoked (as the chain client's receiver thread does), sends, polls, and idles only if none did work.
     */
    private static Histogram roundTrips(
        final EmbeddedAeron aeron,
        final Publication publication,
        final Subscription replies,
        final IdleStrategy idle,
        final int messageBytes,
        final int inFlight,
        final Duration duration) throws InterruptedException
    {
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(messageBytes));
        final Histogram histogram = new Histogram(OpStats.MAX_LATENCY_NS, 3);
        final long[] outstanding = new long[1];
        final long[] received = new long[1];
        final long measureFromNs = System.nanoTime() + WARMUP.toNanos();
        final FragmentAssembler handler = new FragmentAssembler((buffer, offset, length, header) ->
        {
            final long nowNs = System.nanoTime();
            final long sentNs = buffer.getLong(offset);
            if (sentNs - measureFromNs >= 0)
            {
                histogram.recordValue(Math.min(nowNs - sentNs, OpStats.MAX_LATENCY_NS));
            }
            outstanding[0]--;
            received[0]++;
        });

        // The path is up once a probe comes back; UDP may drop probes sent before every hop is connected.
        final long readyDeadlineNs = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (0 == received[0])
        {
            if (System.nanoTime() - readyDeadlineNs > 0)
            {
                throw new IllegalStateException("no message came back through the floor hops in " + READY_TIMEOUT);
            }
            message.putLong(0, 0);
            if (publication.offer(message, 0, messageBytes) > 0)
            {
                outstanding[0]++;
            }
            final long waitUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            while (0 == received[0] && System.nanoTime() - waitUntilNs < 0)
            {
                idle.idle(aeron.invoke() + replies.poll(handler, 64));
            }
        }
        // Let the probes still on their way arrive (the driver may need this thread to take them in), then drop them.
        final long settleUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        while (System.nanoTime() - settleUntilNs < 0)
        {
            idle.idle(aeron.invoke() + replies.poll(handler, 64));
        }
        outstanding[0] = 0;

        final long endNs = measureFromNs + duration.toNanos();
        while (true)
        {
            int work = aeron.invoke();
            long nowNs = System.nanoTime();
            if (nowNs - endNs >= 0)
            {
                break;
            }
            while (outstanding[0] < inFlight)
            {
                message.putLong(0, System.nanoTime());
                if (publication.offer(message, 0, messageBytes) < 0)
                {
                    break;
                }
                outstanding[0]++;
                work++;
            }
            work += replies.poll(handler, 64);
            idle.idle(work);
        }
        final long drainDeadlineNs = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (outstanding[0] > 0 && System.nanoTime() - drainDeadlineNs < 0)
        {
            idle.idle(aeron.invoke() + replies.poll(handler, 64));
        }
        return histogram;
    }

    private static void awaitReady(final Process process, final Path log, final EmbeddedAeron aeron)
        throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true)
        {
            final String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (text.contains(FloorHopMain.READY))
            {
                return;
            }
            if (!process.isAlive() || System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("floor hop did not start (" + (process.isAlive() ? "timeout" :
                    "exit " + process.exitValue()) + "); its log " + log + ":\n" + text);
            }
            aeron.invoke();
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private static String resolve(final Subscription subscription, final EmbeddedAeron aeron)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String resolved;
        while (null == (resolved = subscription.tryResolveChannelEndpointPort()))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("floor reply subscription did not bind a port");
            }
            aeron.invoke();
            TimeUnit.MILLISECONDS.sleep(1);
        }
        return ChannelUri.parse(resolved).get(CommonContext.ENDPOINT_PARAM_NAME);
    }

    /**
     * @param count ports wanted.
     * @return UDP ports free a moment ago (held together so they differ).
     * @throws IOException if no socket can be bound.
     */
    static List<Integer> freeUdpPorts(final int count) throws IOException
    {
        final List<DatagramSocket> sockets = new ArrayList<>();
        try
        {
            final List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName(HOST));
                sockets.add(socket);
                ports.add(socket.getLocalPort());
            }
            return ports;
        }
        finally
        {
            for (final DatagramSocket socket : sockets)
            {
                socket.close();
            }
        }
    }
}
