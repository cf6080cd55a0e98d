package io.chainkv.perf;

import io.chainkv.client.ChainConfigSource;
import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.perf.floor.TransportFloor;
import io.chainkv.transport.TransportSettings;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one benchmark against a chain: load phase, warm-up, measured window with one progress line a
 * second and the fault timeline, then the transport floor if asked; returns what it measured.
 */
public final class BenchRun
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    private final BenchSettings settings;
    private final ChainConfigSource configSource;
    private final PrintStream out;
    private FaultInjector faultInjector;
    private java.nio.file.Path clusterLogs;
    private TransportFloor transportFloor;
    private String command = "";
    private FloorQuiet floorQuiet;
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Histogram> histograms = new LinkedHashMap<>();

    /**
     * @param settings     what to run.
     * @param configSource where the chain is.
     * @param out          progress lines go here.
     */
    public BenchRun(final BenchSettings settings, final ChainConfigSource configSource, final PrintStream out)
    {
        this.settings = settings;
        this.configSource = configSource;
        this.out = out;
    }

    /**
     * @param faultInjector kills and restarts nodes; required when the settings have faults.
     * @return this.
     */
    public BenchRun faultInjector(final FaultInjector faultInjector)
    {
        this.faultInjector = faultInjector;
        return this;
    }

    /**
     * @param clusterLogs the nodes' log directory, to report their idle strategy; null if unknown.
     * @return this.
     */
    public BenchRun clusterLogs(final java.nio.file.Path clusterLogs)
    {
        this.clusterLogs = clusterLogs;
        return this;
    }

    /**
     * @param transportFloor measures the floor when the settings ask for it.
     * @return this.
     */
    public BenchRun transportFloor(final TransportFloor transportFloor)
    {
        this.transportFloor = transportFloor;
        return this;
    }

    /**
     * What silences the chain's processes while the floor is measured, so the hops do not share the cores
     * with idle nodes (which cost a core each under the yield or busy profiles).
     */
    public interface FloorQuiet
    {
        /**
         * @throws Exception if the nodes cannot be paused.
         */
        void pause() throws Exception;

        /**
         * @throws Exception if the nodes cannot be resumed.
         */
        void resume() throws Exception;
    }

    /**
     * @param floorQuiet pauses the nodes during the floor measurement; null to leave them running.
     * @return this.
     */
    public BenchRun floorQuiet(final FloorQuiet floorQuiet)
    {
        this.floorQuiet = floorQuiet;
        return this;
    }

    public BenchRun command(final String command)
    {
        this.command = command;
        return this;
    }

    /**
     * @param note a caveat to carry into the results.
     * @return this.
     */
    public BenchRun note(final String note)
    {
        notes.add(note);
        return this;
    }

    /**
     * @return after {@link #run()}: latency histograms (nanoseconds) by name, e.g. "write", "floor-3-hops",
     * for the .hgrm files.
     */
    public Map<String, Histogram> histograms()
    {
        return histograms;
    }

    /**
     * @return the results.
     * @throws Exception if the run could not be carried out (not for failed ops: those are counted).
     */
    public BenchResult run() throws Exception
    {
        if (!settings.faults().isEmpty() && null == faultInjector)
        {
            throw new IllegalArgumentException("a fault timeline needs a cluster the runner started (--local) or " +
                "a local-cluster.sh directory (--cluster-dir)");
        }
        final String startedAt = Instant.now().toString();
        final TransportSettings transport = TransportSettings.fromSystemProperties();
        final ChainConfig chain = configSource.current();
        final KeyFormat keyFormat = new KeyFormat(settings.keySize(), settings.keys());
        final ChainKvClient[] clients = new ChainKvClient[settings.clients()];
        try
        {
            for (int i = 0; i < clients.length; i++)
            {
                clients[i] = ChainKvClient.connect(new ClientConfig()
                    .configSource(configSource)
                    .transportSettings(transport)
                    .requestTimeout(settings.requestTimeout())
                    .readMode(settings.readMode())
                    .attemptTimeout(min(settings.requestTimeout(), ClientConfig.DEFAULT_ATTEMPT_TIMEOUT)));
            }
            out.printf(Locale.ROOT, "chain: %s (epoch %d); client idle profile: %s; read mode: %s%n", members(chain),
                chain.epoch(), IdleProfile.nameOf(transport), settings.readMode());

            double loadSeconds = 0;
            if (settings.load())
            {
                final long loadStartNs = System.nanoTime();
                final long failed = Loader.load(clients, keyFormat, settings.keys(), settings.valueSize(),
                    Math.min(512, 64 * clients.length), settings.seed());
                loadSeconds = (System.nanoTime() - loadStartNs) / 1e9;
                out.printf(Locale.ROOT, "load: %d keys in %.1f s (%.0f puts/s), %d failed%n", settings.keys(),
                    loadSeconds, settings.keys() / loadSeconds, failed);
            }

            final Measured measured = measure(clients, keyFormat, transport);
            final List<BenchResult.Floor> floors = settings.floor() ? measureFloors(chain, measured.stats) : List.of();

            return result(startedAt, chain, transport, loadSeconds, measured, floors);
        }
        finally
        {
            CloseHelper.quietCloseAll(clients);
        }
    }

    private Measured measure(final ChainKvClient[] clients, final KeyFormat keyFormat, final TransportSettings transport)
        throws InterruptedException
    {
        final long warmupNs = settings.warmup().toNanos();
        final long durationNs = settings.duration().toNanos();
        final long startNs = System.nanoTime();
        final RunStats stats = new RunStats(startNs + warmupNs, startNs + warmupNs + durationNs);
        final int threads = settings.threads();
        final LoadWorker[] workers = new LoadWorker[threads];
        final Thread[] workerThreads = new Thread[threads];
        final long intervalNs = settings.openLoop() ? OpenLoopSchedule.intervalNs(settings.rate(), threads) : 0;
        for (int i = 0; i < threads; i++)
        {
            // Stagger the workers' schedules so an open loop sends evenly, not in bursts of N.
            final OpenLoopSchedule schedule = settings.openLoop() ?
                new OpenLoopSchedule(startNs + intervalNs * i / threads, intervalNs) : null;
            workers[i] = new LoadWorker(clients[i % clients.length], settings.workload(),
                KeyChooser.of(settings.distribution(), settings.keys(), settings.zipfConstant()), keyFormat,
                settings.valueSize(), settings.outstanding(), stats, schedule, transport.newIdleStrategy(),
                settings.seed() * 31 + i);
            workerThreads[i] = new Thread(workers[i], "bench-worker-" + i);
            workerThreads[i].setDaemon(true);
        }
        for (final Thread thread : workerThreads)
        {
            thread.start();
        }

        final FaultTimeline faults = new FaultTimeline(settings.faults(), faultInjector, stats.measureStartNs(), out);
        final List<BenchResult.Second> timeline = new ArrayList<>();
        final Histogram secondHistogram = new Histogram(OpStats.MAX_LATENCY_NS, 3);
        final Histogram soFar = new Histogram(OpStats.MAX_LATENCY_NS, 3);
        long retriesAtStart = -1;
        long lastErrors = 0;
        long lastRetries = 0;
        long lastSampleNs = stats.measureStartNs();
        // Warm-up lines tick from the start; measured lines tick from the window's start, one per second.
        long nextSampleNs = warmupNs > 0 ? Math.min(startNs + SECOND_NS, stats.measureStartNs()) : stats.measureStartNs();
        if (warmupNs > 0)
        {
            out.printf(Locale.ROOT, "warm-up %.1f s, then %.1f s measured; %s, %s%n", warmupNs / 1e9, durationNs / 1e9,
                settings.workload(), settings.loadModel());
        }
        try
        {
            while (true)
            {
                final long nowNs = System.nanoTime();
                final long endNs = stats.measureEndNs();
                if (nowNs - nextSampleNs < 0)
                {
                    TimeUnit.NANOSECONDS.sleep(nextSampleNs - nowNs);
                    continue;
                }
                if (retriesAtStart < 0)
                {
                    if (nowNs - stats.measureStartNs() < 0)
                    {
                        out.printf(Locale.ROOT, "[warm-up %4.1fs] %d ops done%n", (nowNs - startNs) / 1e9,
                            stats.completedUnmeasured());
                        nextSampleNs = Math.min(nextSampleNs + SECOND_NS, stats.measureStartNs());
                        continue;
                    }
                    retriesAtStart = retries(clients);
                    faults.start();
                    nextSampleNs = stats.measureStartNs() + SECOND_NS;
                    continue;
                }
                nextSampleNs = Math.min(nextSampleNs + SECOND_NS, endNs);

                // Sample what completed since the last line (ops due in the window, whenever they finished).
                secondHistogram.reset();
                final double elapsedSeconds = Math.max(1e-3, (nowNs - lastSampleNs) / 1e9);
                lastSampleNs = nowNs;
                final double[] perOp = new double[Op.count()];
                long errors = 0;
                for (int i = 0; i < Op.count(); i++)
                {
                    final OpStats opStats = stats.op(Op.of(i));
                    final Histogram interval = opStats.sampleInterval();
                    perOp[i] = interval.getTotalCount() / elapsedSeconds;
                    secondHistogram.add(interval);
                    soFar.add(interval);
                    errors += opStats.errors();
                }
                final long retries = retries(clients) - retriesAtStart;
                final int second = timeline.size() + 1;
                final double ops = secondHistogram.getTotalCount() / elapsedSeconds;
                timeline.add(new BenchResult.Second(second, ops, perOp[Op.READ.ordinal()],
                    perOp[Op.WRITE.ordinal()], perOp[Op.CAS.ordinal()], Percentiles.us(secondHistogram, 50),
                    Percentiles.us(secondHistogram, 99), errors - lastErrors, retries - lastRetries));
                out.printf(Locale.ROOT,
                    "[%4ds] %9.0f ops/s  p50 %8.1f us  p99 %9.1f us | so far p50 %8.1f us  p99 %9.1f us | " +
                    "errors %d  retries %d%n",
                    second, ops, Percentiles.us(secondHistogram, 50), Percentiles.us(secondHistogram, 99),
                    Percentiles.us(soFar, 50), Percentiles.us(soFar, 99), errors, retries);
                lastErrors = errors;
                lastRetries = retries;
                if (nowNs - endNs >= 0)
                {
                    break;
                }
            }

            // Let the ops of the window's last moments complete (or fail at their timeout).
            final long joinDeadlineNs = System.nanoTime() + settings.requestTimeout().toNanos() * 2 + SECOND_NS;
            for (int i = 0; i < threads; i++)
            {
                final long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinDeadlineNs - System.nanoTime()));
                workerThreads[i].join(leftMs);
            }
        }
        finally
        {
            faults.close();
            for (final LoadWorker worker : workers)
            {
                worker.abort();
            }
        }

        long errors = 0;
        for (int i = 0; i < Op.count(); i++)
        {
            final OpStats opStats = stats.op(Op.of(i));
            opStats.sampleInterval();
            errors += opStats.errors();
        }
        stats.closeWindow();
        return new Measured(stats, timeline, faults.events(), Math.max(0, retries(clients) - Math.max(0, retriesAtStart)),
            errors);
    }

    private List<BenchResult.Floor> measureFloors(final ChainConfig chain, final RunStats stats) throws Exception
    {
        if (null == transportFloor)
        {
            throw new IllegalStateException("the transport floor needs a TransportFloor (child JVM settings)");
        }
        if (null != floorQuiet)
        {
            floorQuiet.pause();
            out.println("transport floor: chain nodes paused (SIGSTOP) while it is measured");
        }
        try
        {
            return measureFloorsNow(chain, stats);
        }
        finally
        {
            if (null != floorQuiet)
            {
                floorQuiet.resume();
            }
        }
    }

    private List<BenchResult.Floor> measureFloorsNow(final ChainConfig chain, final RunStats stats) throws Exception
    {
        final List<BenchResult.Floor> floors = new ArrayList<>();
        final int inFlight = Math.min(512, settings.threads() * settings.outstanding());
        // Writes travel client -> head -> ... -> tail -> client; reads client -> tail -> client.
        final Histogram writes = stats.op(Op.WRITE).cumulative();
        final Histogram reads = stats.op(Op.READ).cumulative();
        if (writes.getTotalCount() > 0 || reads.getTotalCount() == 0)
        {
            floors.add(floor(chain.members().size(), "write", writes, inFlight));
        }
        if (reads.getTotalCount() > 0)
        {
            floors.add(floor(1, "read", reads, inFlight));
        }
        return floors;
    }

    private BenchResult.Floor floor(final int hops, final String op, final Histogram chainHistogram, final int inFlight)
        throws Exception
    {
        // About the size of the request the chain forwards: key, value and the request envelope.
        final int messageBytes = settings.keySize() + ("write".equals(op) ? settings.valueSize() : 0) + 96;
        out.printf(Locale.ROOT, "transport floor: %d hop(s), %d-byte messages, %d in flight, %.1f s ...%n", hops,
            messageBytes, inFlight, settings.floorDuration().toNanos() / 1e9);
        final Histogram floor = transportFloor.measure(hops, messageBytes, inFlight, settings.floorDuration());
        histograms.put("floor-" + hops + "-hops", floor);
        final double p50 = Percentiles.us(floor, 50);
        final double p99 = Percentiles.us(floor, 99);
        final double chainP50 = Percentiles.us(chainHistogram, 50);
        final double chainP99 = Percentiles.us(chainHistogram, 99);
        final BenchResult.Floor result = new BenchResult.Floor(hops, op, messageBytes, inFlight, floor.getTotalCount(),
            p50, p99, Percentiles.us(floor, 99.9), Percentiles.maxUs(floor), chainP50, chainP99,
            p50 > 0 ? chainP50 / p50 : 0, p99 > 0 ? chainP99 / p99 : 0, Percentiles.curve(floor));
        out.printf(Locale.ROOT, "transport floor %d hop(s): p50 %.1f us p99 %.1f us; chain %s p50 %.1f us = %.2fx floor%n",
            hops, p50, p99, op, chainP50, result.ratioP50());
        return result;
    }

    private BenchResult result(
        final String startedAt,
        final ChainConfig chain,
        final TransportSettings transport,
        final double loadSeconds,
        final Measured measured,
        final List<BenchResult.Floor> floors)
    {
        final double seconds = settings.duration().toNanos() / 1e9;
        final List<BenchResult.OpResult> ops = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < Op.count(); i++)
        {
            final OpStats opStats = measured.stats.op(Op.of(i));
            final Histogram histogram = opStats.cumulative();
            if (0 == histogram.getTotalCount() && 0 == opStats.errors())
            {
                continue;
            }
            total += histogram.getTotalCount();
            histograms.put(opStats.op().label(), histogram);
            ops.add(new BenchResult.OpResult(opStats.op().label(), histogram.getTotalCount(),
                histogram.getTotalCount() / seconds, Percentiles.meanUs(histogram), Percentiles.us(histogram, 50),
                Percentiles.us(histogram, 90), Percentiles.us(histogram, 99), Percentiles.us(histogram, 99.9),
                Percentiles.maxUs(histogram), opStats.errors(), opStats.conflicts(), opStats.misses(),
                measured.stats.availability(opStats.op()).longestGapNs() / 1e6,
                measured.stats.availability(opStats.op()).longestGapStartOffsetNs() / 1e9,
                Percentiles.curve(histogram)));
        }
        final Availability availability = measured.stats.availability();
        final List<String> memberNames = new ArrayList<>();
        for (final ChainMember member : chain.members())
        {
            memberNames.add(member.toString());
        }
        return new BenchResult(
            startedAt,
            command,
            new BenchResult.Settings(settings.workload().toString(), settings.loadModel(), settings.threads(),
                settings.outstanding(), settings.rate(), settings.clients(), settings.keys(), settings.keySize(),
                settings.valueSize(), settings.distribution(), settings.load(), loadSeconds,
                settings.warmup().toNanos() / 1e9, seconds, settings.readMode().name()),
            new BenchResult.Profile(IdleProfile.nameOf(transport), transport.toString(), IdleProfile.ofCluster(clusterLogs)),
            memberNames,
            seconds,
            total,
            total / seconds,
            measured.errors,
            measured.retries,
            ops,
            measured.timeline,
            measured.faults,
            new BenchResult.Unavailability(availability.longestGapNs() / 1e6, availability.longestGapStartOffsetNs() / 1e9),
            floors,
            List.copyOf(notes));
    }

    private static long retries(final ChainKvClient[] clients)
    {
        long sum = 0;
        for (final ChainKvClient client : clients)
        {
            sum += client.retries();
        }
        return sum;
    }

    private static String members(final ChainConfig chain)
    {
        final StringBuilder sb = new StringBuilder();
        for (final ChainMember member : chain.members())
        {
            sb.append(sb.length() > 0 ? " -> " : "").append(member);
        }
        return sb.toString();
    }

    private static java.time.Duration min(final java.time.Duration a, final java.time.Duration b)
    {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private record Measured(
        RunStats stats, List<BenchResult.Second> timeline, List<BenchResult.FaultEvent> faults, long retries, long errors)
    {
    }
}
