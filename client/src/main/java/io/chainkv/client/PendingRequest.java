package io.chainkv.client;

import io.chainkv.protocol.ProtocolLimits;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.Status;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One of the {@link ProtocolLimits#EXACTLY_ONCE_WINDOW} pre-allocated slots of a client's pending-request
 * table; request {@code seq} lives in slot {@code seq % WINDOW}.
 * <p>
 * A slot admits its requests strictly in order: request {@code seq} may claim it only once request
 * {@code seq - WINDOW} has completed and its sender is done with it ({@link #readyForSeq}). That one rule
 * keeps at most WINDOW requests in flight and sends {@code r + WINDOW} only after {@code r} completed,
 * which is what the nodes' exactly-once tables rely on.
 * <p>
 * Two parties hold a claimed slot: the request is {@link #ACTIVE} until someone completes it, and
 * {@link #SENDING} while the caller's thread is still offering the first attempt. Both flags live in
 * {@link #word} with the request's sequence number, so clearing a flag is one CAS that cannot hit a later
 * request in the same slot. Whoever clears the last flag frees the slot for {@code seq + WINDOW}.
 * <p>
 * The request fields are written by the claiming caller before it publishes the word and are stable
 * until the slot is freed. The timer fields are the receiver agent's alone once published.
 */
final class PendingRequest
{
    static final int WINDOW = ProtocolLimits.EXACTLY_ONCE_WINDOW;

    /** The request has not completed. */
    static final long ACTIVE = 1;

    /** The caller's thread is still sending the first attempt. */
    static final long SENDING = 2;

    static final int NOT_OWNER = -1;
    static final int STILL_HELD = 0;
    static final int FREED = 1;

    private static final long FLAGS = ACTIVE | SENDING;
    private static final long WAIT_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final VarHandle WORD;

    static
    {
        try
        {
            WORD = MethodHandles.lookup().findVarHandle(PendingRequest.class, "word", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final AtomicBoolean clientClosed;

    /** {@code seq << 2 | flags} of the request holding the slot; flags 0 when free. */
    private volatile long word;

    /** The only sequence number that may claim the slot next. */
    private volatile long readyForSeq;

    /** Callers blocked in {@link #awaitTurn}; read without the monitor so freeing rarely takes it. */
    private volatile int waiters;

    /** Set by the caller when its first send failed, so the agent resends after a backoff. */
    volatile boolean needsResend;

    // The request: written before publication, stable until the slot is freed.
    long seq;
    // The session (wire clientId) the request belongs to, fixed when it starts: its retries stay in that session.
    long sessionId;
    // Attempts the head's publication took, and answers refusing an attempt before the head sequenced it. While they
    // are equal no attempt can have been applied, so the next one may open the session; otherwise a retry could be
    // applied a second time in a session the chain ended and the head opened anew (docs/client.md, "Sessions").
    volatile int attemptsOffered;
    volatile int attemptsRefused;
    OpType op;
    byte[] key;
    byte[] value;
    long expectedVersion;
    ReadMode readMode;
    CompletableFuture<Object> future;
    long startNs;
    long deadlineNs;

    // Timers and retry state: the agent's once the request is published.
    long nextActionNs;
    long backoffNs;
    int attempts;
    // Reads: whether the next attempt must go to the tail (a member could not resolve the key's committed version).
    boolean readAtTail;
    // Reads: the member an attempt went to while nothing has answered it (RequestSender counts it against that
    // member), or null. Taken with getAndSet, so the caller's thread and the receiver release it exactly once, and
    // a timer that fires while it is set means the member did not answer.
    volatile String countedEndpoint;
    Status lastStatus;
    String lastDetail;

    PendingRequest(final int index, final AtomicBoolean clientClosed)
    {
        this.clientClosed = clientClosed;
        this.readyForSeq = 0 == index ? WINDOW : index;
    }

    static int indexOf(final long seq)
    {
        return (int)(seq % WINDOW);
    }

    /**
     * @param seq a request's sequence number.
     * @return true if that request may claim the slot now.
     */
    boolean isReadyFor(final long seq)
    {
        return readyForSeq == seq;
    }

    /**
     * Waits until request {@code seq} may use this slot. Waits through interrupts (the interrupt is kept):
     * giving up would leave the slot for ever reserved for a request that never comes. The wait is bounded
     * because the previous request completes by its deadline.
     *
     * @param seq the request's sequence number.
     * @return true when the slot is ours; false if the client closed first.
     */
    boolean awaitTurn(final long seq)
    {
        if (readyForSeq == seq)
        {
            return true;
        }

        boolean interrupted = false;
        synchronized (this)
        {
            waiters++;
            try
            {
                while (readyForSeq != seq)
                {
                    if (clientClosed.get())
                    {
                        return false;
                    }
                    try
                    {
                        TimeUnit.NANOSECONDS.timedWait(this, WAIT_CHECK_NS);
                    }
                    catch (final InterruptedException ex)
                    {
                        interrupted = true;
                    }
                }
            }
            finally
            {
                waiters--;
                if (interrupted)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return true;
    }

    /**
     * Makes the filled-in request visible to the agent, held by the sending caller as well.
     */
    void publish()
    {
        needsResend = false;
        word = (seq << 2) | ACTIVE | SENDING;
    }

    /**
     * @param seq a request's sequence number.
     * @return true if that request holds the slot and has not completed.
     */
    boolean isActive(final long seq)
    {
        final long w = word;
        return (w >>> 2) == seq && (w & ACTIVE) != 0;
    }

    /**
     * @return the sequence number of the active request, or 0 if the slot has none.
     */
    long activeSeq()
    {
        final long w = word;
        return (w & ACTIVE) != 0 ? w >>> 2 : 0;
    }

    /**
     * @return the sequence number of the active request not being sent by its caller, or 0.
     */
    long activeNotSendingSeq()
    {
        final long w = word;
        return (w & FLAGS) == ACTIVE ? w >>> 2 : 0;
    }

    /**
     * Completes request {@code seq} unless someone already did. Read the fields you need (the future)
     * before: once this returns FREED the slot may belong to another request.
     *
     * @param seq  the request.
     * @param flag {@link #ACTIVE} to complete it, {@link #SENDING} when its caller is done sending.
     * @return {@link #NOT_OWNER} if the flag was not held for seq, else {@link #STILL_HELD} or {@link #FREED}.
     */
    int release(final long seq, final long flag)
    {
        while (true)
        {
            final long w = word;
            if ((w >>> 2) != seq || (w & flag) == 0)
            {
                return NOT_OWNER;
            }
            final long next = w & ~flag;
            if (WORD.compareAndSet(this, w, next))
            {
                if ((next & FLAGS) == 0)
                {
                    free(seq);
                    return FREED;
                }
                return STILL_HELD;
            }
        }
    }

    /**
     * Wakes callers waiting for this slot so they see the client has closed.
     */
    void wakeAll()
    {
        synchronized (this)
        {
            notifyAll();
        }
    }

    private void free(final long seq)
    {
        // Drop references so a completed request's buffers and future can be collected.
        key = null;
        value = null;
        future = null;
        lastStatus = null;
        lastDetail = null;
        readyForSeq = seq + WINDOW;
        if (waiters > 0)
        {
            wakeAll();
        }
    }
}
