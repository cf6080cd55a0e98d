package io.chainkv.faults;

import io.chainkv.faults.checker.Anomaly;
import io.chainkv.faults.history.FaultEvent;
import io.chainkv.faults.history.OpType;
import io.chainkv.faults.history.Outcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a fault run, and its text report: operations by outcome, faults injected, anomalies, and where
 * the histories of failing segments are kept.
 *
 * @param settings what was run.
 * @param segments each segment's result.
 * @param seconds  wall-clock time of the whole run.
 */
public record RunReport(RunSettings settings, List<SegmentResult> segments, double seconds)
{
    /**
     * @return every anomaly of every segment.
     */
    public List<Anomaly> anomalies()
    {
        final List<Anomaly> all = new ArrayList<>();
        segments.forEach(s -> all.addAll(s.anomalies()));
        return all;
    }

    /**
     * @return harness errors (a segment cut short), one per failing segment.
     */
    public List<String> errors()
    {
        return segments.stream().filter(s -> null != s.error()).map(s -> "segment " + s.index() + ": " + s.error())
            .toList();
    }

    /**
     * @return true if no segment found an anomaly or hit a harness error.
     */
    public boolean passed()
    {
        return anomalies().isEmpty() && errors().isEmpty();
    }

    /**
     * @return faults injected per nemesis (heals not counted).
     */
    public Map<String, Integer> faultsByNemesis()
    {
        final Map<String, Integer> counts = new TreeMap<>();
        for (final SegmentResult segment : segments)
        {
            for (final FaultEvent event : segment.faults())
            {
                if (!isHeal(event))
                {
                    counts.merge(event.nemesis(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private static boolean isHeal(final FaultEvent event)
    {
        final String d = event.description();
        return "heal".equals(event.nemesis()) || d.startsWith("restarted") || d.startsWith("SIGCONT") ||
            d.startsWith("link up") || d.startsWith("reconnected") || d.startsWith("healed");
    }

    static String segmentLine(final SegmentResult s)
    {
        int ok = 0;
        int failed = 0;
        int unknown = 0;
        for (final Map<Outcome, Integer> byOutcome : s.counts().values())
        {
            ok += byOutcome.getOrDefault(Outcome.OK, 0);
            failed += byOutcome.getOrDefault(Outcome.FAILED, 0);
            unknown += byOutcome.getOrDefault(Outcome.UNKNOWN, 0);
        }
        final long faults = s.faults().stream().filter(e -> !isHeal(e)).count();
        return String.format("segment %d: %.0f s, loss %.2f, %d ops (ok %d, failed %d, unknown %d), %d faults, " +
            "%d anomalies%s", s.index(), s.seconds(), s.lossRate(), ok + failed + unknown, ok, failed, unknown, faults,
            s.anomalies().size(), null == s.error() ? "" : ", ERROR " + s.error());
    }

    /**
     * @return the report, as printed at the end of a run.
     */
    public String toText()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("==== ChainKV fault run report ====\n");
        sb.append(String.format("seed %d, %d segment(s), %.0f s in all; %d nodes (replication factor %d), session " +
            "%d ms, %d client threads on %d keys%n", settings.seed(), segments.size(), seconds, settings.nodes(),
            settings.replicationFactor(), settings.sessionTimeoutMs(), settings.processes(), settings.keys()));
        sb.append("nemeses: ").append(String.join(", ", settings.effectiveNemeses()));
        if (settings.lossRate() > 0)
        {
            sb.append(", packet-loss (").append(settings.lossRate()).append(" on odd segments)");
        }
        if (!settings.namespaces())
        {
            sb.append("\n  (network partitions skipped: ").append(networkSkipReason()).append(')');
        }
        sb.append("\n\noperations by outcome:\n");
        sb.append(String.format("  %-7s %9s %9s %9s%n", "", "ok", "failed", "unknown"));
        final int[] totals = new int[3];
        for (final OpType type : OpType.values())
        {
            final int[] row = new int[3];
            for (final SegmentResult segment : segments)
            {
                final Map<Outcome, Integer> byOutcome = segment.counts().get(type);
                row[0] += byOutcome.getOrDefault(Outcome.OK, 0);
                row[1] += byOutcome.getOrDefault(Outcome.FAILED, 0);
                row[2] += byOutcome.getOrDefault(Outcome.UNKNOWN, 0);
            }
            for (int i = 0; i < 3; i++)
            {
                totals[i] += row[i];
            }
            sb.append(String.format("  %-7s %9d %9d %9d%n", type, row[0], row[1], row[2]));
        }
        sb.append(String.format("  %-7s %9d %9d %9d%n", "total", totals[0], totals[1], totals[2]));
        sb.append("\nfaults injected:\n");
        faultsByNemesis().forEach((name, count) -> sb.append(String.format("  %-20s %5d%n", name, count)));
        sb.append("\nsegments:\n");
        for (final SegmentResult segment : segments)
        {
            sb.append("  ").append(segmentLine(segment)).append('\n');
        }
        final List<Anomaly> anomalies = anomalies();
        sb.append("\nanomalies: ").append(anomalies.size()).append('\n');
        for (final SegmentResult segment : segments)
        {
            for (final Anomaly anomaly : segment.anomalies())
            {
                sb.append("  segment ").append(segment.index()).append(' ').append(anomaly.describe());
            }
            if (null != segment.historyFile())
            {
                sb.append("  segment ").append(segment.index()).append(" history: ").append(segment.historyFile())
                    .append('\n');
            }
            if (!segment.anomalies().isEmpty() || null != segment.error())
            {
                sb.append("  segment ").append(segment.index()).append(" cluster logs: ")
                    .append(segment.clusterDir().resolve("logs")).append('\n');
                sb.append("  faults of segment ").append(segment.index()).append(":\n");
                for (final FaultEvent event : segment.faults())
                {
                    sb.append("    ").append(event).append('\n');
                }
            }
        }
        for (final String error : errors())
        {
            sb.append("harness error: ").append(error).append('\n');
        }
        sb.append(settings.keepHistories() ? "histories: " : "histories of failing segments: ").append(settings.outDir().resolve("histories")).append('\n');
        sb.append(passed() ? "RESULT: PASS\n" : "RESULT: FAIL\n");
        return sb.toString();
    }

    private static String networkSkipReason()
    {
        final String reason = io.chainkv.faults.cluster.NetworkNamespaces.unavailableReason();
        return null == reason ? "disabled" : reason;
    }
}
