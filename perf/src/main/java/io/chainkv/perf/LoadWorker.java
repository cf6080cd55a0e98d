package io.chainkv.perf;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.VersionMismatchException;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * One load-generating thread: keeps up to {@code slots} async requests outstanding, in a closed loop (send
 * again as soon as an answer comes) or an open loop (send at the times an {@link OpenLoopSchedule} sets).
 * <p>
 * Each slot owns its key and value arrays, reused for every request it carries (the client does not copy
 * them), so the loop allocates nothing of its own; the client's futures are the only garbage. Completion
 * callbacks run on the client's receiver thread and record the latency there. In the closed loop the callback
 * also sends the slot's next request, as a pipelined client would: handing the slot back to this thread would
 * add a thread wake-up (up to a whole idle park) to every request, which the transport floor does not pay.
 * In the open loop, and after a failed send, the slot goes back to this thread through a queue. The worker
 * idles with the transport's idle strategy (backoff by default: no busy spin).
 */
public final class LoadWorker implements Runnable
{
    private final ChainKvClient client;
    private final Workload workload;
    private final KeyChooser keys;
    private final KeyFormat keyFormat;
    private final RunStats stats;
    private final OpenLoopSchedule schedule;
    private final IdleStrategy idleStrategy;
    private final SplittableRandom random;
    private final Slot[] free;
    private final ManyToOneConcurrentArrayQueue<Slot> completed;
    private final long endNs;
    private int freeCount;
    private volatile boolean aborted;

    /**
     * @param client       the client to send through (shared by workers).
     * @param workload     op mix.
     * @param keys         key popularity.
     * @param keyFormat    key bytes.
     * @param valueSize    bytes per written value.
     * @param slots        requests kept outstanding at most.
     * @param stats        where results go; its window says when to stop.
     * @param schedule     open-loop send times, or null for a closed loop.
     * @param idleStrategy how to wait when nothing can be sent (open loop; the closed loop, whose sends happen in
     *                     callbacks, sleeps 1 ms at a time between checks for slots whose send failed).
     * @param seed         of this worker's random numbers.
     */
    public LoadWorker(
        final ChainKvClient client,
        final Workload workload,
        final KeyChooser keys,
        final KeyFormat keyFormat,
        final int valueSize,
        final int slots,
        final RunStats stats,
        final OpenLoopSchedule schedule,
        final IdleStrategy idleStrategy,
        final long seed)
    {
        if (slots < 1)
        {
            throw new IllegalArgumentException("slots must be >= 1, was " + slots);
        }
        this.client = client;
        this.workload = workload;
        this.keys = keys;
        this.keyFormat = keyFormat;
        this.stats = stats;
        this.schedule = schedule;
        // In the closed loop this thread only sends the first requests and takes back slots whose send failed:
        // waking it every 100 us cost ~2.5% of a core per worker for nothing (docs/performance.md).
        this.idleStrategy = null == schedule ? new SleepingMillisIdleStrategy(1) : idleStrategy;
        this.random = new SplittableRandom(seed);
        this.free = new Slot[slots];
        this.completed = new ManyToOneConcurrentArrayQueue<>(Math.max(2, slots));
        for (int i = 0; i < slots; i++)
        {
            final byte[] value = new byte[valueSize];
            random.nextBytes(value);
            free[i] = new Slot(keyFormat.newKey(), value, random.split());
        }
        this.freeCount = slots;
        this.endNs = stats.measureEndNs();
    }

    /**
     * Sends until the measured window ends (or {@link #abort()}), then waits for the outstanding answers.
     */
    public void run()
    {
        while (!aborted)
        {
            int work = reclaim();
            final long nowNs = System.nanoTime();
            if (nowNs - endNs >= 0)
            {
                break;
            }
            if (null == schedule)
            {
                while (freeCount > 0)
                {
                    send(free[--freeCount], System.nanoTime());
                    work++;
                }
            }
            else
            {
                while (freeCount > 0 && schedule.isDue(nowNs) && schedule.peekNext() - endNs < 0)
                {
                    send(free[--freeCount], schedule.claimNext());
                    work++;
                }
            }
            idleStrategy.idle(work);
        }
        // Answers still to come complete on the receiver thread (or fail at the request timeout).
        while (!aborted && freeCount < free.length)
        {
            idleStrategy.idle(reclaim());
        }
    }

    /**
     * Makes {@link #run()} return soon, without waiting for outstanding answers.
     */
    public void abort()
    {
        aborted = true;
    }

    /**
     * @return requests sent and not yet answered (approximate when read from another thread).
     */
    public int outstanding()
    {
        return free.length - freeCount;
    }

    private int reclaim()
    {
        int count = 0;
        Slot slot;
        while (null != (slot = completed.poll()))
        {
            free[freeCount++] = slot;
            count++;
        }
        return count;
    }

    private void send(final Slot slot, final long dueNs)
    {
        // The worker's random numbers are shared with callbacks that send (closed loop), one at a time per slot
        // but from two threads: the split keeps each slot's choices on its own generator.
        final Op op = workload.choose(slot.random.nextDouble());
        keyFormat.write(keys.next(slot.random), slot.key);
        slot.op = op;
        slot.dueNs = dueNs;
        slot.sending = true;
        try
        {
            switch (op)
            {
                case READ:
                    client.getAsync(slot.key).whenComplete(slot);
                    break;
                case WRITE:
                    client.putAsync(slot.key, slot.value).whenComplete(slot);
                    break;
                default:
                    client.getAsync(slot.key)
                        .thenCompose((current) -> client.compareAndSetAsync(
                            slot.key, null == current ? 0 : current.version(), slot.value))
                        .whenComplete(slot);
                    break;
            }
        }
        catch (final RuntimeException ex)
        {
            slot.accept(null, ex);
        }
        finally
        {
            slot.sending = false;
        }
    }

    /**
     * One outstanding request's buffers and bookkeeping; also the callback that completes it.
     */
    private final class Slot implements BiConsumer<Object, Throwable>
    {
        private final byte[] key;
        private final byte[] value;
        private final SplittableRandom random;
        private Op op;
        private long dueNs;
        private boolean sending;

        private Slot(final byte[] key, final byte[] value, final SplittableRandom random)
        {
            this.key = key;
            this.value = value;
            this.random = random;
        }

        public void accept(final Object result, final Throwable failure)
        {
            final long nowNs = System.nanoTime();
            if (null == failure)
            {
                stats.onSuccess(op, dueNs, nowNs);
                if (Op.READ == op && null == result && stats.isMeasured(dueNs))
                {
                    stats.op(op).recordMiss();
                }
            }
            else
            {
                final Throwable cause = failure instanceof CompletionException && null != failure.getCause() ?
                    failure.getCause() : failure;
                if (cause instanceof VersionMismatchException)
                {
                    // Another writer got there first: the CAS did its job, so it counts as a completed op.
                    stats.onSuccess(op, dueNs, nowNs);
                    if (stats.isMeasured(dueNs))
                    {
                        stats.op(op).recordConflict();
                    }
                }
                else
                {
                    stats.onError(op, dueNs);
                }
            }
            // A request that failed before it was sent completes on the sending thread itself: sending again
            // from here could recurse without end, so such a slot goes back to the worker, which idles first.
            if (null == schedule && !sending && !aborted && nowNs - endNs < 0)
            {
                send(this, System.nanoTime());
            }
            else
            {
                completed.offer(this);
            }
        }
    }
}
