package io.chainkv.faults.checker;

import io.chainkv.faults.history.OpType;
import io.chainkv.faults.history.Operation;
import io.chainkv.faults.history.Outcome;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that every acknowledged write survives to the final read of its key, after the faults were healed:
 * the final read shows that write or a later one (a higher version), or the key is absent and a delete could have
 * come after it. Also that nothing appears that was never written or that the client was told was not applied.
 * <p>
 * Coarser than linearizability but independent of it: it needs no search, and it names a lost write directly.
 * Final reads are the OK GETs of process {@link #FINAL_READ_PROCESS}.
 */
public final class SurvivalChecker implements HistoryChecker
{
    /** Process id of the reads taken after the run, once the cluster is healed. */
    public static final int FINAL_READ_PROCESS = -1;

    public String name()
    {
        return "survival";
    }

    public List<Anomaly> check(final List<Operation> history)
    {
        final Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        final Map<String, Operation> writesByValue = new HashMap<>();
        for (final Operation op : history)
        {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            if (op.type() == OpType.PUT || op.type() == OpType.CAS)
            {
                writesByValue.put(op.key() + "\u0000" + op.value(), op);
            }
        }
        final List<Anomaly> anomalies = new ArrayList<>();
        for (final Map.Entry<String, List<Operation>> entry : byKey.entrySet())
        {
            checkKey(entry.getKey(), entry.getValue(), writesByValue, anomalies);
        }
        return anomalies;
    }

    private void checkKey(
        final String key,
        final List<Operation> ops,
        final Map<String, Operation> writesByValue,
        final List<Anomaly> anomalies)
    {
        Operation finalRead = null;
        Operation lastAcked = null;
        for (final Operation op : ops)
        {
            if (op.process() == FINAL_READ_PROCESS && op.type() == OpType.GET && op.outcome() == Outcome.OK)
            {
                finalRead = op;
            }
            if (op.isAcknowledgedWrite() && (null == lastAcked || op.version() > lastAcked.version()))
            {
                lastAcked = op;
            }
            if (op.type() == OpType.GET && op.outcome() == Outcome.OK && null != op.value())
            {
                final Operation writer = writesByValue.get(key + "\u0000" + op.value());
                if (null == writer)
                {
                    anomalies.add(new Anomaly(name(), key, "read a value no client ever wrote to this key",
                        List.of(op)));
                }
                else if (writer.outcome() == Outcome.FAILED)
                {
                    anomalies.add(new Anomaly(name(), key, "read the value of a write the client was told was " +
                        "certainly not applied", List.of(writer, op)));
                }
            }
        }
        if (null == lastAcked)
        {
            return;
        }
        if (null == finalRead)
        {
            anomalies.add(new Anomaly(name(), key, "no final read succeeded, so acknowledged writes cannot be " +
                "shown to survive", List.of(lastAcked)));
            return;
        }
        if (null != finalRead.value())
        {
            if (finalRead.version() < lastAcked.version())
            {
                anomalies.add(new Anomaly(name(), key, "acknowledged write lost: the final read shows version " +
                    finalRead.version() + ", older than the acknowledged write at version " + lastAcked.version(),
                    List.of(lastAcked, finalRead)));
            }
            return;
        }
        final Operation acked = lastAcked;
        final boolean deletedAfter = ops.stream().anyMatch(op -> op.type() == OpType.DELETE &&
            (op.outcome() == Outcome.UNKNOWN || op.outcome() == Outcome.OK && op.existed()) &&
            op.completeNs() > acked.invokeNs());
        if (!deletedAfter)
        {
            final List<Operation> evidence = new ArrayList<>(List.of(lastAcked, finalRead));
            evidence.sort(Comparator.comparingLong(Operation::id));
            anomalies.add(new Anomaly(name(), key, "acknowledged write lost: the final read finds the key absent " +
                "and no delete could have come after the write at version " + lastAcked.version(), evidence));
        }
    }
}
