package io.chainkv.faults.checker;

import io.chainkv.faults.history.OpType;
import io.chainkv.faults.history.Operation;
import io.chainkv.faults.history.Outcome;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a history is linearizable with respect to {@link RegisterModel}, one key at a time (keys are
 * independent registers, so the history is linearizable iff each key's is).
 * <p>
 * The search is Wing &amp; Gong's: walk the operations in real-time order, try to linearize each pending one whose
 * call has been seen, and backtrack when an operation's return is reached before it was linearized. Lowe's
 * memoisation ("Testing for linearizability", 2017) makes it practical: a (set of linearized operations, model
 * state) pair already explored is never explored again. The layout follows Porcupine's: a doubly linked list of
 * call and return entries from which linearized operations are lifted out.
 * <p>
 * Outcomes: FAILED operations never happened and are left out; reads without an answer are left out (they change
 * nothing); writes with an UNKNOWN outcome may take effect at any time after their call, or never: their return
 * is at infinity, and the search succeeds once every operation with an answer is linearized, whatever became of
 * the unknown ones.
 */
public final class LinearizabilityChecker implements HistoryChecker
{
    /** Explored (set, state) pairs per key before the checker gives up on a key and reports it undecided. */
    public static final int DEFAULT_MAX_STATES = 5_000_000;
    private static final int EVIDENCE_OPS = 30;

    private final int maxStates;

    public LinearizabilityChecker()
    {
        this(DEFAULT_MAX_STATES);
    }

    /**
     * @param maxStates how many (set, state) pairs one key may explore before it is reported undecided.
     */
    public LinearizabilityChecker(final int maxStates)
    {
        this.maxStates = maxStates;
    }

    public String name()
    {
        return "linearizability";
    }

    public List<Anomaly> check(final List<Operation> history)
    {
        final Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        for (final Operation op : history)
        {
            if (isChecked(op))
            {
                byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            }
        }
        final List<Anomaly> anomalies = new ArrayList<>();
        for (final Map.Entry<String, List<Operation>> key : byKey.entrySet())
        {
            final Anomaly anomaly = checkKey(key.getKey(), key.getValue());
            if (null != anomaly)
            {
                anomalies.add(anomaly);
            }
        }
        return anomalies;
    }

    private static boolean isChecked(final Operation op)
    {
        return op.outcome() == Outcome.OK || op.outcome() == Outcome.UNKNOWN && op.type().isWrite();
    }

    /**
     * @return null if the key's history is linearizable, else what went wrong.
     */
    Anomaly checkKey(final String key, final List<Operation> ops)
    {
        final int n = ops.size();
        final long[] inferred = inferVersions(ops);
        final Entry head = buildEntries(ops);

        final Set<Memo> explored = new HashSet<>();
        final Deque<Frame> calls = new ArrayDeque<>();
        final BitSet linearized = new BitSet(n);
        RegisterState state = RegisterState.ABSENT;
        int best = -1;
        Operation stuckAt = null;
        Entry entry = head.next;
        while (null != head.next)
        {
            if (entry.isCall)
            {
                final RegisterState next = RegisterModel.step(state, entry.op, inferred[entry.index]);
                if (null != next)
                {
                    final BitSet withIt = (BitSet)linearized.clone();
                    withIt.set(entry.index);
                    if (explored.add(new Memo(withIt, next)))
                    {
                        if (explored.size() > maxStates)
                        {
                            return new Anomaly(name(), key, "undecided: the search explored more than " + maxStates +
                                " states; the key's history is too concurrent to check (use more keys, fewer " +
                                "operations per key)", List.of());
                        }
                        calls.push(new Frame(entry, state));
                        state = next;
                        linearized.set(entry.index);
                        entry.lift();
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            }
            else
            {
                if (entry.op.outcome() == Outcome.UNKNOWN)
                {
                    // Only returns at infinity are left: every operation with an answer is linearized.
                    return null;
                }
                if (linearized.cardinality() > best)
                {
                    best = linearized.cardinality();
                    stuckAt = entry.op;
                }
                if (calls.isEmpty())
                {
                    return notLinearizable(key, ops, stuckAt);
                }
                final Frame frame = calls.pop();
                state = frame.stateBefore;
                linearized.clear(frame.entry.index);
                frame.entry.unlift();
                entry = frame.entry.next;
            }
        }
        return null;
    }

    private Anomaly notLinearizable(final String key, final List<Operation> ops, final Operation stuckAt)
    {
        final List<Operation> evidence = new ArrayList<>();
        for (final Operation op : ops)
        {
            if (op.invokeNs() <= stuckAt.completeNs() && op.completeNs() >= stuckAt.invokeNs() - 2_000_000_000L)
            {
                evidence.add(op);
            }
        }
        final List<Operation> tail = evidence.subList(Math.max(0, evidence.size() - EVIDENCE_OPS), evidence.size());
        return new Anomaly(name(), key, "not linearizable: no order of the operations explains " + stuckAt.type() +
            " #" + stuckAt.id() + "; the operations around it:", new ArrayList<>(tail));
    }

    /**
     * Values are unique per write, so a read of a value shows the version of the write that wrote it, also when
     * that write's own answer never came.
     */
    private static long[] inferVersions(final List<Operation> ops)
    {
        final Map<String, Long> readVersions = new HashMap<>();
        for (final Operation op : ops)
        {
            if (op.type() == OpType.GET && op.outcome() == Outcome.OK && null != op.value())
            {
                readVersions.putIfAbsent(op.value(), op.version());
            }
        }
        final long[] inferred = new long[ops.size()];
        for (int i = 0; i < ops.size(); i++)
        {
            final Operation op = ops.get(i);
            final Long version = op.outcome() == Outcome.UNKNOWN ? readVersions.get(op.value()) : null;
            inferred[i] = null == version ? RegisterState.UNKNOWN_VERSION : version;
        }
        return inferred;
    }

    private static Entry buildEntries(final List<Operation> ops)
    {
        final List<Entry> entries = new ArrayList<>(ops.size() * 2);
        for (int i = 0; i < ops.size(); i++)
        {
            final Operation op = ops.get(i);
            final Entry call = new Entry(op, i, true, op.invokeNs());
            final long returnTime = op.outcome() == Outcome.UNKNOWN ? Operation.NEVER : op.completeNs();
            final Entry ret = new Entry(op, i, false, returnTime);
            call.match = ret;
            entries.add(call);
            entries.add(ret);
        }
        // Ties: calls first, so operations that touch in time count as concurrent (the permissive reading).
        entries.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.isCall ? 0 : 1));
        final Entry head = new Entry(null, -1, false, Long.MIN_VALUE);
        Entry last = head;
        for (final Entry e : entries)
        {
            last.next = e;
            e.prev = last;
            last = e;
        }
        return head;
    }

    private static final class Entry
    {
        final Operation op;
        final int index;
        final boolean isCall;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(final Operation op, final int index, final boolean isCall, final long time)
        {
            this.op = op;
            this.index = index;
            this.isCall = isCall;
            this.time = time;
        }

        /** Takes this call and its return out of the list. */
        void lift()
        {
            prev.next = next;
            if (null != next)
            {
                next.prev = prev;
            }
            match.prev.next = match.next;
            if (null != match.next)
            {
                match.next.prev = match.prev;
            }
        }

        /** Puts this call and its return back where {@link #lift()} took them from. */
        void unlift()
        {
            match.prev.next = match;
            if (null != match.next)
            {
                match.next.prev = match;
            }
            prev.next = this;
            if (null != next)
            {
                next.prev = this;
            }
        }
    }

    private record Frame(Entry entry, RegisterState stateBefore)
    {
    }

    private record Memo(BitSet linearized, RegisterState state)
    {
    }
}
