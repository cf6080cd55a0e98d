package io.chainkv.perf;

import java.util.List;

/**
 * Everything one run measured, as written to results.json and drawn in report.html. Latencies are in
 * microseconds, rates in operations per second, times in seconds from the start of the measured window.
 *
 * @param startedAt      wall-clock start (ISO-8601).
 * @param command        the command line that produced it.
 * @param settings       what was run.
 * @param profile        the idle-strategy profile of the client and, where known, the cluster.
 * @param cluster        the chain measured: members head to tail.
 * @param measuredSeconds length of the measured window.
 * @param totalOps       successful ops in the window.
 * @param throughput     totalOps / measuredSeconds.
 * @param errors         failed ops in the window.
 * @param retries        attempts the client sent again during the window.
 * @param ops            per op type.
 * @param timeline       one sample per second of the window.
 * @param faults         fault actions carried out.
 * @param unavailability the longest stretch without a successful op.
 * @param floors         transport floor measurements, empty if not asked for.
 * @param notes          caveats a reader must know (e.g. a shared machine).
 */
public record BenchResult(
    String startedAt,
    String command,
    Settings settings,
    Profile profile,
    List<String> cluster,
    double measuredSeconds,
    long totalOps,
    double throughput,
    long errors,
    long retries,
    List<OpResult> ops,
    List<Second> timeline,
    List<FaultEvent> faults,
    Unavailability unavailability,
    List<Floor> floors,
    List<String> notes)
{
    /**
     * What was run.
     */
    public record Settings(
        String workload,
        String loadModel,
        int threads,
        int outstanding,
        double targetRate,
        int clients,
        long keys,
        int keySize,
        int valueSize,
        String keyDistribution,
        boolean loaded,
        double loadSeconds,
        double warmupSeconds,
        double durationSeconds,
        String readMode)
    {
    }

    /**
     * Idle strategies in use.
     *
     * @param name    "default (backoff)" or "low-latency (yield|busy)" or "custom".
     * @param client  the runner's transport settings.
     * @param cluster what the nodes logged at start, or how to find out.
     */
    public record Profile(String name, String client, String cluster)
    {
    }

    /**
     * One op type's results.
     *
     * @param longestGapMs        longest stretch of the window without a success of this op type.
     * @param longestGapStartSecond when it started.
     * @param curve               percentile (0..100) and latency pairs for the percentile chart.
     */
    public record OpResult(
        String op,
        long count,
        double throughput,
        double meanUs,
        double p50Us,
        double p90Us,
        double p99Us,
        double p999Us,
        double maxUs,
        long errors,
        long conflicts,
        long misses,
        double longestGapMs,
        double longestGapStartSecond,
        List<double[]> curve)
    {
    }

    /**
     * One second of the measured window.
     */
    public record Second(
        int second,
        double opsPerSecond,
        double readsPerSecond,
        double writesPerSecond,
        double casPerSecond,
        double p50Us,
        double p99Us,
        long errors,
        long retries)
    {
    }

    /**
     * A fault action.
     *
     * @param atSecond when it was carried out, from the window's start.
     * @param action   kill9 or restart.
     * @param node     the node.
     * @param outcome  what the injector said, or the error.
     */
    public record FaultEvent(double atSecond, String action, String node, String outcome)
    {
    }

    /**
     * The longest stretch without a successful op.
     */
    public record Unavailability(double longestGapMs, double startsAtSecond)
    {
    }

    /**
     * Raw Aeron round trips through {@code hops} forwarding processes, next to the chain's latency for the op
     * that takes the same path.
     */
    public record Floor(
        int hops,
        String comparedWith,
        int messageBytes,
        int inFlight,
        long count,
        double p50Us,
        double p99Us,
        double p999Us,
        double maxUs,
        double chainP50Us,
        double chainP99Us,
        double ratioP50,
        double ratioP99,
        List<double[]> curve)
    {
    }
}
