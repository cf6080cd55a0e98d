package io.chainkv.faults.checker;

import io.chainkv.faults.history.OpType;
import io.chainkv.faults.history.Operation;
import io.chainkv.faults.history.Outcome;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds histories by hand for the checkers' tests: each call adds one operation with its invocation and
 * completion time in milliseconds.
 */
final class HandMadeHistory
{
    static final String KEY = "k";

    private final List<Operation> ops = new ArrayList<>();

    HandMadeHistory put(final int process, final String value, final long from, final long to, final long version)
    {
        return add(process, OpType.PUT, value, 0, from, to, Outcome.OK, version, false, false);
    }

    HandMadeHistory putUnknown(final int process, final String value, final long from, final long to)
    {
        return add(process, OpType.PUT, value, 0, from, to, Outcome.UNKNOWN, 0, false, false);
    }

    HandMadeHistory putFailed(final int process, final String value, final long from, final long to)
    {
        return add(process, OpType.PUT, value, 0, from, to, Outcome.FAILED, 0, false, false);
    }

    HandMadeHistory get(final int process, final String value, final long version, final long from, final long to)
    {
        return add(process, OpType.GET, value, 0, from, to, Outcome.OK, version, false, false);
    }

    HandMadeHistory getAbsent(final int process, final long from, final long to)
    {
        return add(process, OpType.GET, null, 0, from, to, Outcome.OK, 0, false, false);
    }

    HandMadeHistory finalRead(final String value, final long version, final long at)
    {
        return add(SurvivalChecker.FINAL_READ_PROCESS, OpType.GET, value, 0, at, at + 1, Outcome.OK, version, false,
            false);
    }

    HandMadeHistory cas(
        final int process, final long expected, final String value, final long from, final long to, final long version)
    {
        return add(process, OpType.CAS, value, expected, from, to, Outcome.OK, version, false, false);
    }

    HandMadeHistory casMismatch(
        final int process, final long expected, final String value, final long from, final long to, final long actual)
    {
        return add(process, OpType.CAS, value, expected, from, to, Outcome.OK, actual, true, false);
    }

    HandMadeHistory casUnknown(final int process, final long expected, final String value, final long from, final long to)
    {
        return add(process, OpType.CAS, value, expected, from, to, Outcome.UNKNOWN, 0, false, false);
    }

    HandMadeHistory delete(final int process, final boolean existed, final long from, final long to)
    {
        return add(process, OpType.DELETE, null, 0, from, to, Outcome.OK, 0, false, existed);
    }

    List<Operation> ops()
    {
        return List.copyOf(ops);
    }

    private HandMadeHistory add(
        final int process,
        final OpType type,
        final String value,
        final long expected,
        final long fromMs,
        final long toMs,
        final Outcome outcome,
        final long version,
        final boolean mismatch,
        final boolean existed)
    {
        ops.add(Operation.of(ops.size() + 1, process, KEY, type, value, expected, fromMs * 1_000_000,
            toMs * 1_000_000, outcome, version, mismatch, existed, outcome == Outcome.OK ? null : "hand-made"));
        return this;
    }
}
