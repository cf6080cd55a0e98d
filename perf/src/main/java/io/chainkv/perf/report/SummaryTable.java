package io.chainkv.perf.report;

import io.chainkv.perf.BenchResult;

import java.util.Locale;

/**
 * The plain-text table printed at the end of a run: throughput and latency percentiles per op type, the
 * transport floor and the unavailability window.
 */
public final class SummaryTable
{
    private SummaryTable()
    {
    }

    /**
     * @param result a run's results.
     * @return the table, several lines.
     */
    public static String render(final BenchResult result)
    {
        final StringBuilder sb = new StringBuilder();
        final BenchResult.Settings s = result.settings();
        sb.append(String.format(Locale.ROOT, "workload %s; %s; %d keys, %d-byte keys, %d-byte values, %s keys; " +
            "reads %s%n",
            s.workload(), s.loadModel(), s.keys(), s.keySize(), s.valueSize(), s.keyDistribution(), s.readMode()));
        sb.append(String.format(Locale.ROOT, "chain %s; idle profile: client %s; cluster %s%n",
            String.join(" -> ", result.cluster()), result.profile().name(), result.profile().cluster()));
        sb.append(String.format(Locale.ROOT, "%-6s %10s %11s %9s %9s %9s %9s %10s %8s%n",
            "op", "count", "ops/s", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "errors"));
        for (final BenchResult.OpResult op : result.ops())
        {
            sb.append(String.format(Locale.ROOT, "%-6s %10d %11.0f %9.1f %9.1f %9.1f %9.1f %10.1f %8d%n",
                op.op(), op.count(), op.throughput(), op.p50Us(), op.p90Us(), op.p99Us(), op.p999Us(), op.maxUs(),
                op.errors()));
        }
        sb.append(String.format(Locale.ROOT, "%-6s %10d %11.0f %59s %8d%n", "all", result.totalOps(),
            result.throughput(), "", result.errors()));
        for (final BenchResult.OpResult op : result.ops())
        {
            if (op.conflicts() > 0 || op.misses() > 0)
            {
                sb.append(String.format(Locale.ROOT, "%s: %d CAS conflicts, %d reads of absent keys%n", op.op(),
                    op.conflicts(), op.misses()));
            }
        }
        sb.append(String.format(Locale.ROOT, "retries %d; longest stretch without a successful op: %.1f ms (from %.1f s)",
            result.retries(), result.unavailability().longestGapMs(), result.unavailability().startsAtSecond()));
        for (final BenchResult.OpResult op : result.ops())
        {
            sb.append(String.format(Locale.ROOT, "; without a %s: %.1f ms (from %.1f s)", op.op(), op.longestGapMs(),
                op.longestGapStartSecond()));
        }
        sb.append(System.lineSeparator());
        for (final BenchResult.FaultEvent event : result.faults())
        {
            sb.append(String.format(Locale.ROOT, "fault at %.1f s: %s %s (%s)%n", event.atSecond(), event.action(),
                event.node(), firstLine(event.outcome())));
        }
        for (final BenchResult.Floor floor : result.floors())
        {
            sb.append(String.format(Locale.ROOT,
                "transport floor, %d hop(s) (%s path): p50 %.1f us p99 %.1f us; chain %s p50 %.1f us p99 %.1f us = " +
                "%.2fx / %.2fx the floor%n", floor.hops(), floor.comparedWith(), floor.p50Us(), floor.p99Us(),
                floor.comparedWith(), floor.chainP50Us(), floor.chainP99Us(), floor.ratioP50(), floor.ratioP99()));
        }
        for (final String note : result.notes())
        {
            sb.append("note: ").append(note).append(System.lineSeparator());
        }
        return sb.toString();
    }

    private static String firstLine(final String text)
    {
        final int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
