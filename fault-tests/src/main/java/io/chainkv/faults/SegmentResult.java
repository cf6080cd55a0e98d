package io.chainkv.faults;

import io.chainkv.faults.checker.Anomaly;
import io.chainkv.faults.history.FaultEvent;
import io.chainkv.faults.history.OpType;
import io.chainkv.faults.history.Operation;
import io.chainkv.faults.history.Outcome;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one segment of a run (one cluster's life) did and what the checkers found.
 *
 * @param index       1-based.
 * @param lossRate    Aeron loss rate of its nodes.
 * @param seconds     how long its schedule ran.
 * @param counts      operations by type and outcome.
 * @param faults      faults injected and healed.
 * @param anomalies   what the checkers found.
 * @param error       a harness failure that cut the segment short (not an anomaly), or null.
 * @param historyFile where its history was kept, or null if it was not kept.
 * @param clusterDir  its cluster's logs.
 */
public record SegmentResult(
    int index,
    double lossRate,
    double seconds,
    Map<OpType, Map<Outcome, Integer>> counts,
    List<FaultEvent> faults,
    List<Anomaly> anomalies,
    String error,
    Path historyFile,
    Path clusterDir)
{
    /**
     * @return counts of the operations, by type and outcome.
     */
    static Map<OpType, Map<Outcome, Integer>> count(final List<Operation> ops)
    {
        final Map<OpType, Map<Outcome, Integer>> counts = new EnumMap<>(OpType.class);
        for (final OpType type : OpType.values())
        {
            final Map<Outcome, Integer> byOutcome = new EnumMap<>(Outcome.class);
            for (final Outcome outcome : List.of(Outcome.OK, Outcome.FAILED, Outcome.UNKNOWN))
            {
                byOutcome.put(outcome, 0);
            }
            counts.put(type, byOutcome);
        }
        for (final Operation op : ops)
        {
            counts.get(op.type()).merge(op.outcome(), 1, Integer::sum);
        }
        return counts;
    }
}
