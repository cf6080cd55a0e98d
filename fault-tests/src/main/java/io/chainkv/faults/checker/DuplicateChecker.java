package io.chainkv.faults.checker;

import io.chainkv.faults.history.OpType;
import io.chainkv.faults.history.Operation;
import io.chainkv.faults.history.Outcome;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that no write was applied twice and no version was given to two writes.
 * <p>
 * Every write carries a value no other write uses, and every application of a write gets its own version (the
 * chain's sequence number). So a write applied twice shows as one value seen at two versions (by its
 * acknowledgement and by reads); and two writes sharing a version (a sequence number reused across heads) show as
 * one version seen with two values.
 */
public final class DuplicateChecker implements HistoryChecker
{
    public String name()
    {
        return "duplicates";
    }

    public List<Anomaly> check(final List<Operation> history)
    {
        final Map<String, Map<Long, Operation>> versionsOfValue = new LinkedHashMap<>();
        final Map<Long, Map<String, Operation>> valuesOfVersion = new LinkedHashMap<>();
        for (final Operation op : history)
        {
            if (!showsVersionOfValue(op))
            {
                continue;
            }
            final String value = op.key() + "=" + op.value();
            versionsOfValue.computeIfAbsent(value, v -> new LinkedHashMap<>()).putIfAbsent(op.version(), op);
            valuesOfVersion.computeIfAbsent(op.version(), v -> new LinkedHashMap<>()).putIfAbsent(value, op);
        }
        final List<Anomaly> anomalies = new ArrayList<>();
        for (final Map.Entry<String, Map<Long, Operation>> value : versionsOfValue.entrySet())
        {
            if (value.getValue().size() > 1)
            {
                final Operation first = value.getValue().values().iterator().next();
                anomalies.add(new Anomaly(name(), first.key(), "write applied twice: value " + first.value() +
                    " was seen at versions " + value.getValue().keySet(), new ArrayList<>(value.getValue().values())));
            }
        }
        for (final Map.Entry<Long, Map<String, Operation>> version : valuesOfVersion.entrySet())
        {
            if (version.getValue().size() > 1)
            {
                anomalies.add(new Anomaly(name(), null, "version " + version.getKey() + " was given to " +
                    version.getValue().size() + " different writes " + version.getValue().keySet(),
                    new ArrayList<>(version.getValue().values())));
            }
        }
        return anomalies;
    }

    private static boolean showsVersionOfValue(final Operation op)
    {
        if (op.outcome() != Outcome.OK)
        {
            return false;
        }
        return op.type() == OpType.GET && null != op.value() || op.isAcknowledgedWrite();
    }
}
