package io.chainkv.faults.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records a history while clients run: every operation's invocation and completion on one monotonic clock
 * ({@link System#nanoTime()}, relative to the history's start), and the faults injected meanwhile. Thread-safe:
 * many client threads and the nemesis record at once.
 * <p>
 * An invocation is stamped just before the request is sent and a completion just after its answer arrived, so
 * whenever {@code a.completeNs < b.invokeNs}, a really completed before b began.
 */
public final class History
{
    private final long originNs = System.nanoTime();
    private final AtomicLong nextId = new AtomicLong();
    private final ConcurrentHashMap<Long, Operation> operations = new ConcurrentHashMap<>();
    private final List<FaultEvent> faults = new CopyOnWriteArrayList<>();

    /**
     * @return nanoseconds since the history began.
     */
    public long nowNs()
    {
        return System.nanoTime() - originNs;
    }

    /**
     * Records an invocation; call just before sending the request.
     *
     * @return the pending operation; pass it, completed, to {@link #complete(Operation)}.
     */
    public Operation invoke(
        final int process, final String key, final OpType type, final String value, final long expectedVersion)
    {
        final Operation op = Operation.invoked(nextId.incrementAndGet(), process, key, type, value, expectedVersion,
            nowNs());
        operations.put(op.id(), op);
        return op;
    }

    /**
     * @param completed the operation returned by {@link #invoke}, completed with its outcome.
     */
    public void complete(final Operation completed)
    {
        if (completed.outcome() == Outcome.PENDING)
        {
            throw new IllegalArgumentException("not completed: " + completed);
        }
        operations.put(completed.id(), completed);
    }

    /**
     * @param nemesis     which nemesis.
     * @param description what it did.
     */
    public void fault(final String nemesis, final String description)
    {
        faults.add(new FaultEvent(nowNs(), nemesis, description));
    }

    /**
     * @return every operation in invocation order; one still pending counts as UNKNOWN (it may yet take effect).
     */
    public List<Operation> operations()
    {
        final List<Operation> all = new ArrayList<>();
        for (final Operation op : operations.values())
        {
            all.add(op.outcome() == Outcome.PENDING ? op.unknown(Operation.NEVER, "still pending") : op);
        }
        all.sort(Comparator.comparingLong(Operation::id));
        return all;
    }

    /**
     * @return the faults injected, in time order.
     */
    public List<FaultEvent> faults()
    {
        return List.copyOf(faults);
    }
}
