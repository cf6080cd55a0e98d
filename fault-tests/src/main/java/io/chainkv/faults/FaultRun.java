package io.chainkv.faults;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.VersionedValue;
import io.chainkv.faults.checker.Anomaly;
import io.chainkv.faults.checker.Checkers;
import io.chainkv.faults.checker.HistoryChecker;
import io.chainkv.faults.checker.SurvivalChecker;
import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.faults.history.History;
import io.chainkv.faults.history.HistoryFile;
import io.chainkv.faults.history.OpType;
import io.chainkv.faults.history.Operation;
import io.chainkv.faults.nemesis.Fault;
import io.chainkv.faults.nemesis.Nemeses;
import io.chainkv.faults.nemesis.Nemesis;
import io.chainkv.faults.workload.ClientProcess;
import io.chainkv.faults.workload.KeySpace;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fault run: one or more segments, each of which starts a fresh cluster, runs the clients while the nemeses
 * break it on a random schedule, heals everything, reads every key once more, and checks the history.
 * <p>
 * Segments exist because, until state transfer is built, every node spliced out of the chain stays out: a cluster
 * can only take so many member failures. A segment's history is self-contained (fresh keys on a fresh cluster).
 * A failing segment's history is written to {@code <outDir>/histories/segment-<n>.jsonl}, with the anomalies
 * beside it.
 */
public final class FaultRun
{
    private static final long MIN_QUIET_MS = 1_000;
    private static final long MAX_QUIET_MS = 4_000;
    private static final Duration FINAL_READ_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration MIN_SEGMENT = Duration.ofSeconds(20);
    /** A churning client process replaces its client instance this often: a few hundred instances a segment. */
    private static final int CHURN_OPS_PER_CLIENT = 20;

    private final RunSettings settings;
    private final PrintStream log;
    private final RunResources resources;

    /**
     * @param settings what to run.
     * @param log      where progress lines go.
     */
    public FaultRun(final RunSettings settings, final PrintStream log)
    {
        this.settings = settings;
        this.log = log;
        this.resources = new RunResources(log);
    }

    /**
     * Runs every segment and checks each. Whatever way it ends (normally, by an exception, or by the JVM shutting
     * down under it), the clusters, network namespaces and client driver directories it made are removed.
     *
     * @return what happened.
     */
    public RunReport run()
    {
        final Thread hook = resources.shutdownHook();
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            final long startNs = System.nanoTime();
            final long endNs = startNs + settings.duration().toNanos();
            final SplittableRandom random = new SplittableRandom(settings.seed());
            final List<SegmentResult> segments = new ArrayList<>();
            int index = 0;
            while (true)
            {
                final long remainingNs = endNs - System.nanoTime();
                if (index > 0 && remainingNs < MIN_SEGMENT.toNanos())
                {
                    break;
                }
                index++;
                final Duration length = Duration.ofNanos(Math.max(MIN_SEGMENT.toNanos(),
                    Math.min(settings.segment().toNanos(), remainingNs)));
                final double loss = settings.lossRate() > 0 && index % 2 == 1 ? settings.lossRate() : 0;
                final SegmentResult result = runSegment(index, length, loss, random.split());
                segments.add(result);
                log.println(RunReport.segmentLine(result));
            }
            return new RunReport(settings, segments, (System.nanoTime() - startNs) / 1e9);
        }
        finally
        {
            resources.closeAll();
            RunResources.quietRemoveHook(hook);
        }
    }

    private SegmentResult runSegment(final int index, final Duration length, final double loss,
        final SplittableRandom random)
    {
        final History history = new History();
        final List<Nemesis> nemeses = Nemeses.named(settings.effectiveNemeses());
        final KeySpace keys = new KeySpace(settings.keys(), settings.opsPerKey());
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();
        final List<ChainKvClient> clients = new ArrayList<>();
        final String name = "segment-" + index;
        FaultCluster cluster = null;
        String error = null;
        Path clusterDir = settings.outDir().resolve("clusters").resolve(name);
        final long startNs = System.nanoTime();
        try
        {
            log.println("segment " + index + ": starting " + settings.nodes() + " nodes (replication factor " +
                settings.replicationFactor() + ")" + (settings.namespaces() ? " in network namespaces" : "") +
                (loss > 0 ? ", Aeron receive loss " + loss : ""));
            cluster = resources.add(FaultCluster.start(name, settings.outDir().resolve("clusters"), settings.nodes(),
                settings.replicationFactor(), settings.sessionTimeoutMs(), settings.namespaces(), loss,
                settings.heal()));
            clusterDir = cluster.local().dir();
            if (loss > 0)
            {
                history.fault("packet-loss", "every node drops " + loss + " of received data packets (Aeron " +
                    "DebugReceiveChannelEndpoint) for the whole segment");
            }
            for (int c = 0; c < 2; c++)
            {
                clients.add(resources.add(
                    ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(3)))));
            }
            for (int p = 1; p <= settings.processes(); p++)
            {
                final Thread thread = new Thread(new ClientProcess(p, clients.get(p % clients.size()), history, keys,
                    random.nextLong(), running, TimeUnit.MILLISECONDS.toNanos(30)), "fault-client-" + p);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
            // Client churn: one more process on a client instance of its own, replaced every few operations.
            final FaultCluster churned = cluster;
            final int churner = settings.processes() + 1;
            final Thread churnThread = new Thread(ClientProcess.churning(churner,
                () -> ChainKvClient.connect(churned.clientConfig().requestTimeout(Duration.ofSeconds(3))),
                CHURN_OPS_PER_CLIENT, history, keys, random.nextLong(), running, TimeUnit.MILLISECONDS.toNanos(30)),
                "fault-client-" + churner + "-churning");
            churnThread.setDaemon(true);
            threads.add(churnThread);
            churnThread.start();
            // The schedule runs for the segment's length once the cluster serves; start-up does not eat into it.
            schedule(cluster, nemeses, history, random, System.nanoTime() + length.toNanos());
        }
        catch (final RuntimeException ex)
        {
            error = ex.toString();
            log.println("segment " + index + ": harness error: " + ex);
            ex.printStackTrace(log);
        }
        finally
        {
            try
            {
                if (null != cluster)
                {
                    cluster.healEverything();
                    history.fault("heal", "everything healed (network, paused processes, ZooKeeper, masters)");
                }
            }
            catch (final RuntimeException ex)
            {
                error = null == error ? "healing failed: " + ex : error;
            }
            running.set(false);
            for (final Thread thread : threads)
            {
                join(thread);
            }
            try
            {
                if (null != cluster && !clients.isEmpty())
                {
                    finalReads(clients.get(0), history, keys);
                }
            }
            catch (final RuntimeException ex)
            {
                error = null == error ? "final reads failed: " + ex : error;
            }
            // Clients, then the cluster's processes, then its network; and anything of this process still left.
            resources.closeAll();
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final List<Operation> ops = history.operations();
        final List<Anomaly> anomalies = new ArrayList<>();
        for (final HistoryChecker checker : Checkers.all())
        {
            anomalies.addAll(checker.check(ops));
        }
        Path historyFile = null;
        if (!anomalies.isEmpty() || null != error || settings.keepHistories())
        {
            historyFile = keep(index, ops, history, anomalies);
        }
        return new SegmentResult(index, loss, seconds, SegmentResult.count(ops), history.faults(), anomalies, error,
            historyFile, clusterDir);
    }

    private void schedule(
        final FaultCluster cluster,
        final List<Nemesis> nemeses,
        final History history,
        final SplittableRandom random,
        final long endNs)
    {
        sleepMs(2_000);
        while (!nemeses.isEmpty() && System.nanoTime() < endNs)
        {
            final Nemesis nemesis = nemeses.get(random.nextInt(nemeses.size()));
            final Fault fault = nemesis.inject(cluster, random);
            if (null != fault)
            {
                history.fault(nemesis.name(), fault.description());
                log.println("  " + nemesis.name() + ": " + fault.description());
                sleepMs(fault.holdMs());
                final String healed = fault.heal().heal();
                history.fault(nemesis.name(), healed);
                log.println("  " + nemesis.name() + ": " + healed);
            }
            sleepMs(MIN_QUIET_MS + random.nextLong(MAX_QUIET_MS - MIN_QUIET_MS));
        }
    }

    /**
     * Reads every key once the cluster is healed, retrying until it serves: the reads the survival checker
     * compares with what was acknowledged.
     */
    private static void finalReads(final ChainKvClient client, final History history, final KeySpace keys)
    {
        final long deadlineNs = System.nanoTime() + FINAL_READ_TIMEOUT.toNanos();
        for (final String key : keys.usedKeys())
        {
            while (true)
            {
                final Operation op = history.invoke(SurvivalChecker.FINAL_READ_PROCESS, key, OpType.GET, null, 0);
                try
                {
                    final VersionedValue read = client.get(key.getBytes(StandardCharsets.UTF_8));
                    final long now = history.nowNs();
                    history.complete(null == read ? op.readOk(now, null, 0) :
                        op.readOk(now, new String(read.value(), StandardCharsets.UTF_8), read.version()));
                    break;
                }
                catch (final RuntimeException ex)
                {
                    history.complete(op.failed(history.nowNs(), ex.toString()));
                    if (System.nanoTime() > deadlineNs)
                    {
                        throw new IllegalStateException("the healed cluster did not serve reads within " +
                            FINAL_READ_TIMEOUT.toSeconds() + " s: " + ex, ex);
                    }
                    sleepMs(200);
                }
            }
        }
    }

    private Path keep(final int index, final List<Operation> ops, final History history, final List<Anomaly> anomalies)
    {
        final Path dir = settings.outDir().resolve("histories");
        final Path file = dir.resolve("segment-" + index + ".jsonl");
        try
        {
            HistoryFile.write(file, ops, history.faults());
            final StringBuilder text = new StringBuilder();
            for (final Anomaly anomaly : anomalies)
            {
                text.append(anomaly.describe()).append('\n');
            }
            Files.writeString(dir.resolve("segment-" + index + "-anomalies.txt"), text.toString(),
                StandardCharsets.UTF_8);
            return file;
        }
        catch (final IOException ex)
        {
            log.println("could not keep the history in " + file + ": " + ex);
            return null;
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
