package io.chainkv.client;

import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.chainkv.protocol.ProtocolEnums;
import io.chainkv.protocol.codecs.ClientResponseDecoder;
import io.chainkv.protocol.codecs.MessageHeaderDecoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.Status;
import io.chainkv.security.FrameVerifier;
import io.chainkv.transport.MessageAssembler;
import io.chainkv.transport.StreamIds;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's one receiver thread: polls the reply subscription, completes the matching pending
 * requests, and drives their timers, resending an attempt that timed out or got a retryable answer with the
 * same request sequence number until the request's deadline.
 * <p>
 * Futures complete on this thread, so their dependent actions run here unless added with an
 * {@code ...Async} method; they must not block.
 */
final class ClientAgent implements Agent, FragmentHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientAgent.class);
    private static final int FRAGMENT_LIMIT = 64;
    private static final long TIMER_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ClientResponseDecoder responseDecoder = new ClientResponseDecoder();
    private final String roleName;
    private final ClientSession session;
    private final long keepaliveIntervalNs;
    private long lastKeepaliveNs;
    // The session's close: asked for by close(), sent by this thread (it owns the publications and, by default, runs
    // the driver), then a moment for the driver to put it on the wire before the thread stops.
    private static final long CLOSE_LINGER_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final int CLOSE_IDLE = 0;
    private static final int CLOSE_REQUESTED = 1;
    private static final int CLOSE_DONE = 2;
    private volatile int closeState = CLOSE_IDLE;
    private long closeLingerUntilNs;
    private final Subscription replies;
    private final MessageAssembler assembler;
    private final ManyToOneConcurrentArrayQueue<Integer> goneSessions;
    private final PendingRequest[] pending;
    private final RequestSender sender;
    private final ChainConfigSource configSource;
    private final AtomicLong sessionVersion;
    private final long attemptTimeoutNs;
    private long lastSeenEpoch;
    private final long maxBackoffNs;
    private long lastTimerCheckNs;
    private long ignoredReplies;
    // Written only by the agent thread, read by any thread (benchmarks report it once a second).
    private final AtomicLong attemptsResent = new AtomicLong();
    private volatile boolean closed;

    ClientAgent(
        final ClientSession session,
        final long keepaliveIntervalNs,
        final Subscription replies,
        final int maxReplyLength,
        final ManyToOneConcurrentArrayQueue<Integer> goneSessions,
        final PendingRequest[] pending,
        final RequestSender sender,
        final ChainConfigSource configSource,
        final FrameVerifier verifier,
        final AtomicLong sessionVersion,
        final long attemptTimeoutNs,
        final long maxBackoffNs)
    {
        this.roleName = "chainkv-client-" + Long.toHexString(session.id());
        this.session = session;
        this.keepaliveIntervalNs = keepaliveIntervalNs;
        this.replies = replies;
        this.assembler = new MessageAssembler(this, maxReplyLength, verifier, StreamIds.CLIENT_REPLY);
        this.goneSessions = goneSessions;
        this.pending = pending;
        this.sender = sender;
        this.configSource = configSource;
        this.sessionVersion = sessionVersion;
        this.attemptTimeoutNs = attemptTimeoutNs;
        this.lastSeenEpoch = configSource.current().epoch();
        this.maxBackoffNs = maxBackoffNs;
    }

    public String roleName()
    {
        return roleName;
    }

    public void onStart()
    {
        sender.receiverStarted(Thread.currentThread());
    }

    public int doWork()
    {
        int workCount = 0;
        Integer sessionId;
        while (null != (sessionId = goneSessions.poll()))
        {
            assembler.releaseSession(sessionId);
            workCount++;
        }

        workCount += replies.poll(assembler, FRAGMENT_LIMIT);

        final long nowNs = System.nanoTime();
        if (CLOSE_REQUESTED == closeState)
        {
            workCount += closeSession(nowNs);
        }
        if (nowNs - lastTimerCheckNs >= TIMER_CHECK_INTERVAL_NS)
        {
            lastTimerCheckNs = nowNs;
            workCount += checkTimers(nowNs);
        }

        return workCount;
    }

    /**
     * Asks this thread to close the session (a {@code SESSION_CLOSE} to the head, never answered), so the chain frees
     * the session's exactly-once slots and the nodes their reply publications now rather than after the session
     * timeout. Called by the closing caller before the thread stops: no request of the session is retried after it.
     *
     * @param timeoutNs how long to wait for the close to go out.
     */
    void closeSessionAndWait(final long timeoutNs)
    {
        if (!session.isOpen())
        {
            return;
        }
        closeState = CLOSE_REQUESTED;
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (CLOSE_DONE != closeState && System.nanoTime() - deadlineNs < 0)
        {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private int closeSession(final long nowNs)
    {
        if (0 == closeLingerUntilNs)
        {
            try
            {
                sender.sendSessionMessage(OpType.SESSION_CLOSE, session.id());
            }
            catch (final RuntimeException ex)
            {
                LOG.debug("session close not sent", ex);
            }
            closeLingerUntilNs = nowNs + CLOSE_LINGER_NS;
            return 1;
        }
        if (nowNs - closeLingerUntilNs >= 0)
        {
            closeState = CLOSE_DONE;
        }
        return 0;
    }

    /**
     * Fails every request still pending: the client is closing and nothing will answer them any more.
     */
    public void onClose()
    {
        // Callers that publish a request after this flag is set fail it themselves (see ChainKvClient).
        closed = true;
        for (final PendingRequest request : pending)
        {
            final long seq = request.activeSeq();
            if (0 != seq)
            {
                failAndRelease(request, seq, Failures.closed(request.op, seq));
            }
        }
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * @return replies that matched no pending request (late duplicates, other clients) or made no sense.
     */
    long ignoredReplies()
    {
        return ignoredReplies;
    }

    /**
     * @return attempts sent again after a timeout or a retryable answer, since the client started.
     */
    long attemptsResent()
    {
        return attemptsResent.get();
    }

    /**
     * @return frames on the reply stream that were not valid messages.
     */
    long malformedReplies()
    {
        return assembler.malformedCount();
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        if (ClientResponseDecoder.TEMPLATE_ID != headerDecoder.templateId())
        {
            ignoredReplies++;
            return;
        }

        final ClientResponseDecoder response = responseDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long seq = response.requestSeq();
        // The generated getters throw on an operation or status the schema does not know.
        if (seq <= 0 || !ProtocolEnums.isKnown(response))
        {
            ignoredReplies++;
            return;
        }

        final PendingRequest request = pending[PendingRequest.indexOf(seq)];
        if (!request.isActive(seq) || response.clientId() != request.sessionId)
        {
            // A reply to an earlier attempt of a request that has already completed.
            ignoredReplies++;
            return;
        }

        final OpType op = request.op;
        if (response.op() != op)
        {
            ignoredReplies++;
            return;
        }

        if (response.epoch() > configSource.current().epoch())
        {
            configSource.requestRefresh();
        }

        final Status status = response.status();
        final long version = response.version();
        if ((Status.OK == status || Status.NOT_FOUND == status) && version > sessionVersion.get())
        {
            sessionVersion.lazySet(version);
        }
        if (OpType.GET != op)
        {
            // Outcomes the chain sequenced (a head's refusal is none) mean the chain holds the session; an ended one
            // is replaced for later calls, while its requests still in flight are refused in their turn.
            if (Status.OK == status || Status.NOT_FOUND == status || Status.VERSION_MISMATCH == status)
            {
                session.opened(request.sessionId);
            }
            else if (Status.SESSION_EXPIRED == status)
            {
                session.renew(request.sessionId);
            }
        }
        switch (status)
        {
            case OK:
                onOk(request, seq, op, response, version);
                break;

            case NOT_FOUND:
                if (OpType.GET == op || OpType.DELETE == op)
                {
                    complete(request, seq, OpType.GET == op ? null : Boolean.FALSE);
                }
                else
                {
                    failAndRelease(request, seq, Failures.unexpectedAnswer(op, seq, "NOT_FOUND"));
                }
                break;

            case NOT_HEAD:
            case NOT_TAIL:
            case STALE_EPOCH:
            case BUSY:
            case UNAVAILABLE:
                response.skipValue();
                if (OpType.GET == op)
                {
                    // The next attempt goes to another member (attempts rotate), or to the tail when the member could
                    // not tell which version is committed.
                    request.readAtTail |= Status.NOT_TAIL == status;
                }
                else
                {
                    // A node refuses a write with these before the head sequences it: that attempt was not applied.
                    request.attemptsRefused++;
                }
                onRetryable(request, status, response.detail());
                break;

            default:
                response.skipValue();
                final ChainKvException failure = Failures.fromStatus(
                    op, seq, status, response.detail(), request.expectedVersion, version);
                failAndRelease(request, seq, null != failure ? failure :
                    Failures.unexpectedAnswer(op, seq, "status code " + response.statusRaw()));
                break;
        }
    }

    private void onOk(
        final PendingRequest request, final long seq, final OpType op, final ClientResponseDecoder response,
        final long version)
    {
        switch (op)
        {
            case GET:
                final byte[] value = new byte[response.valueLength()];
                response.getValue(value, 0, value.length);
                complete(request, seq, new VersionedValue(value, version));
                break;

            case PUT:
            case CAS:
                complete(request, seq, version);
                break;

            case DELETE:
                complete(request, seq, Boolean.TRUE);
                break;

            default:
                failAndRelease(request, seq, Failures.unexpectedAnswer(op, seq, "op " + op));
                break;
        }
    }

    private void onRetryable(final PendingRequest request, final Status status, final String detail)
    {
        sender.releaseRead(request);
        request.lastStatus = status;
        request.lastDetail = detail;
        configSource.requestRefresh();
        // A caller still sending its first attempt gets the same backoff once done (see checkTimers).
        scheduleBackoff(request, System.nanoTime());
    }

    /**
     * Keeps an idle session alive: a keepalive to the head when no write went out for the keepalive interval, well
     * inside the nodes' session timeout. A client that never wrote has no session and sends none.
     */
    private int keepSessionAlive(final long nowNs)
    {
        if (!session.isOpen() || nowNs - session.lastWriteSentNs() < keepaliveIntervalNs ||
            nowNs - lastKeepaliveNs < keepaliveIntervalNs)
        {
            return 0;
        }
        lastKeepaliveNs = nowNs;
        try
        {
            return sender.sendSessionMessage(OpType.KEEPALIVE, session.id()) ? 1 : 0;
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("keepalive failed", ex);
            return 0;
        }
    }

    private int checkTimers(final long nowNs)
    {
        int workCount = keepSessionAlive(nowNs);
        // A new configuration (a failover) makes every request in flight worth sending again at once, to the
        // new head or tail, rather than after its attempt times out at a node that may be dead.
        final long epoch = configSource.current().epoch();
        final boolean reconfigured = epoch != lastSeenEpoch;
        lastSeenEpoch = epoch;
        if (reconfigured)
        {
            // Publications to new members, before the resends below need them (only this thread may create them
            // when the client's driver runs here).
            sender.warmUp();
        }
        for (final PendingRequest request : pending)
        {
            final long seq = request.activeNotSendingSeq();
            if (0 == seq)
            {
                continue;
            }
            if (reconfigured && !request.needsResend)
            {
                request.nextActionNs = nowNs;
                // Sent again at once because of the new configuration, not because the member did not answer.
                sender.releaseRead(request);
            }

            if (request.needsResend)
            {
                // The caller's first send did not go out (not connected yet, back pressure).
                request.needsResend = false;
                scheduleBackoff(request, nowNs);
            }
            else if (nowNs - request.nextActionNs >= 0)
            {
                workCount++;
                if (nowNs - request.deadlineNs >= 0)
                {
                    final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(nowNs - request.startNs);
                    failAndRelease(request, seq, null != request.lastStatus ?
                        Failures.unavailable(request.op, seq, elapsedMs, request.attempts, request.lastStatus,
                            request.lastDetail) :
                        Failures.timeout(request.op, seq, elapsedMs, request.attempts));
                }
                else
                {
                    // A read still counted against its member got no answer in time: skip that member for a while; the
                    // retry goes to another.
                    sender.suspect(sender.releaseRead(request), nowNs);
                    resend(request, nowNs);
                }
            }
        }
        return workCount;
    }

    private void resend(final PendingRequest request, final long nowNs)
    {
        request.attempts++;
        attemptsResent.lazySet(attemptsResent.get() + 1);
        boolean sent = false;
        try
        {
            sent = sender.send(request);
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("resend of request {} failed", request.seq, ex);
        }

        if (sent)
        {
            request.nextActionNs = Math.min(nowNs + attemptTimeoutNs, request.deadlineNs);
        }
        else
        {
            scheduleBackoff(request, nowNs);
        }
    }

    private void scheduleBackoff(final PendingRequest request, final long nowNs)
    {
        request.nextActionNs = Math.min(nowNs + request.backoffNs, request.deadlineNs);
        request.backoffNs = Math.min(request.backoffNs * 2, maxBackoffNs);
    }

    private void complete(final PendingRequest request, final long seq, final Object result)
    {
        sender.releaseRead(request);
        final CompletableFuture<Object> future = request.future;
        if (PendingRequest.NOT_OWNER != request.release(seq, PendingRequest.ACTIVE))
        {
            future.complete(result);
        }
    }

    private void failAndRelease(final PendingRequest request, final long seq, final Throwable failure)
    {
        sender.releaseRead(request);
        fail(request, seq, failure);
    }

    static void fail(final PendingRequest request, final long seq, final Throwable failure)
    {
        final CompletableFuture<Object> future = request.future;
        if (PendingRequest.NOT_OWNER != request.release(seq, PendingRequest.ACTIVE))
        {
            future.completeExceptionally(failure);
        }
    }
}
