package io.chainkv.client;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Subscription;
import io.chainkv.protocol.ProtocolLimits;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.security.KeyRole;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.InvokingAgent;
import io.chainkv.transport.StreamIds;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A connection to one ChainKV chain: linearizable get, put, delete and compare-and-set on byte-array keys.
 * <p>
 * Writes go to the chain's head and are answered by its tail once every member applied them; reads go to
 * the tail. Each call is one request with a sequence number; an attempt that gets no answer within the
 * attempt timeout, or a retryable answer (the chain is reconfiguring, busy), is sent again with the same
 * sequence number, so the nodes apply a retried write once. A call fails when its request timeout passes.
 * <p>
 * Thread-safe: any number of threads may call it, synchronously or asynchronously, over one pair of
 * publications. At most {@link ProtocolLimits#EXACTLY_ONCE_WINDOW} requests are in flight; a caller beyond
 * that waits until the request {@code WINDOW} places before its own completes (async calls too: that is the
 * back pressure).
 * <p>
 * Futures complete on the client's receiver thread: dependent actions added without {@code ...Async} run
 * there and must not block; synchronous calls from that thread are refused. Key and value arrays are not
 * copied: do not change them until the call completes.
 */
public final class ChainKvClient implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ChainKvClient.class);
    private static final long RESOLVE_PORT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final int GONE_SESSIONS_CAPACITY = 1024;

    private final ChainConfigSource configSource;
    private final AutoCloseable ownedConfigSource;
    private final int maxKeyLength;
    private final int maxValueLength;
    private final long attemptTimeoutNs;
    private final long requestTimeoutNs;
    private final long retryBackoffNs;
    private static final long SESSION_CLOSE_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private final ClientSession session;
    private final long keepaliveIntervalNs;
    private final AtomicLong lastSeq = new AtomicLong();
    // The session token: written by the receiver thread as answers arrive, read by callers.
    private final AtomicLong sessionVersion = new AtomicLong();
    private final ReadMode defaultReadMode;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final PendingRequest[] pending = new PendingRequest[PendingRequest.WINDOW];
    private final EmbeddedAeron embeddedAeron;
    private final Aeron aeron;
    private Subscription replies;
    private String replyChannel;
    private RequestSender sender;
    private ClientAgent agent;
    private AgentRunner agentRunner;
    private volatile Thread agentThread;

    private ChainKvClient(
        final ClientConfig config,
        final ChainConfigSource configSource,
        final AutoCloseable ownedConfigSource,
        final EmbeddedAeron embeddedAeron,
        final Aeron aeron)
    {
        this.configSource = configSource;
        this.ownedConfigSource = ownedConfigSource;
        this.maxKeyLength = config.maxKeyLength();
        this.maxValueLength = config.maxValueLength();
        this.attemptTimeoutNs = config.attemptTimeout().toNanos();
        this.requestTimeoutNs = config.requestTimeout().toNanos();
        this.retryBackoffNs = config.retryBackoff().toNanos();
        this.defaultReadMode = config.readMode();
        this.embeddedAeron = embeddedAeron;
        this.aeron = aeron;

        this.keepaliveIntervalNs = config.sessionKeepalive().toNanos();
        final TransportSettings settings = config.transportSettings();
        this.session = new ClientSession(settings.authenticated() ? settings.keyRing().signer(KeyRole.CLIENT).keyId() : 0);

        for (int i = 0; i < pending.length; i++)
        {
            pending[i] = new PendingRequest(i, closed);
        }
    }

    /**
     * Starts a client: its own media driver unless {@link ClientConfig#aeronDirectoryName} names one, a reply
     * subscription on an ephemeral port of {@link ClientConfig#replyHost}, and the receiver thread. Does not
     * wait for the nodes: requests sent before a node is reachable are retried until their deadline.
     * <p>
     * With {@link ClientConfig#zooKeeper(String, String)} it first waits, up to the request timeout, for the
     * cluster's configuration in ZooKeeper, and fails with an {@link UnavailableException} saying what is missing.
     * With authentication on (the default) it needs a key file with a client key ({@link ClientConfig#keyFile}, or
     * {@code -Dchainkv.key.file}) and fails with an {@link IllegalStateException} saying so when it has none.
     *
     * @param config the client's settings.
     * @return a running client; close it to release its threads, driver and directory.
     */
    public static ChainKvClient connect(final ClientConfig config)
    {
        config.validate();
        final TransportSettings settings = config.transportSettings();
        // Before anything starts: without keys every request would be dropped unread and only time out.
        settings.keyRing();
        EmbeddedAeron embeddedAeron = null;
        Aeron aeron = null;
        ChainKvClient client = null;
        ZooKeeperChainConfigSource ownedSource = null;
        try
        {
            ChainConfigSource source = config.configSource();
            if (null == source)
            {
                ownedSource = ZooKeeperChainConfigSource.connect(config.zooKeeperConnectString(),
                    config.zooKeeperClusterName(), ZooKeeperChainConfigSource.DEFAULT_CHAIN_ID, config.requestTimeout());
                source = ownedSource;
            }
            if (null == config.aeronDirectoryName())
            {
                final File directory = EmbeddedAeron.uniqueDirectory("client");
                embeddedAeron = settings.clientDriverInvoked() ?
                    EmbeddedAeron.launchInvoked(directory, settings) : EmbeddedAeron.launch(directory, settings);
                aeron = embeddedAeron.aeron();
            }
            else
            {
                aeron = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(config.aeronDirectoryName())
                    .idleStrategy(settings.newIdleStrategy()));
            }
            client = new ChainKvClient(config, source, ownedSource, embeddedAeron, aeron);
            client.start(config, settings);
            return client;
        }
        catch (final RuntimeException ex)
        {
            if (null != client)
            {
                CloseHelper.quietClose(client);
            }
            else
            {
                CloseHelper.quietClose(null != embeddedAeron ? embeddedAeron : aeron);
                CloseHelper.quietClose(ownedSource);
            }
            throw ex;
        }
    }

    /**
     * Reads a key.
     *
     * @param key the key.
     * @return its value and version, or null if the key is absent.
     * @throws ChainKvException (a subclass) if the read failed.
     */
    public VersionedValue get(final byte[] key)
    {
        checkNotReceiverThread();
        return await(getAsync(key));
    }

    /**
     * Reads a key with a given read mode.
     *
     * @param key      the key.
     * @param readMode what the read may answer (docs/reads.md).
     * @return its value and version, or null if the key is absent.
     * @throws ChainKvException (a subclass) if the read failed.
     */
    public VersionedValue get(final byte[] key, final ReadMode readMode)
    {
        checkNotReceiverThread();
        return await(getAsync(key, readMode));
    }

    /**
     * Writes a key, replacing any value.
     *
     * @param key   the key.
     * @param value the value.
     * @return the version of the write.
     * @throws ChainKvException (a subclass) if the write failed; see {@link UnavailableException#outcomeUnknown()}.
     */
    public long put(final byte[] key, final byte[] value)
    {
        checkNotReceiverThread();
        return await(putAsync(key, value));
    }

    /**
     * Deletes a key.
     *
     * @param key the key.
     * @return true if the key existed.
     * @throws ChainKvException (a subclass) if the delete failed.
     */
    public boolean delete(final byte[] key)
    {
        checkNotReceiverThread();
        return await(deleteAsync(key));
    }

    /**
     * Writes a key only if it has the expected version.
     *
     * @param key             the key.
     * @param expectedVersion the version the key must have; 0 means "the key must be absent" (put-if-absent).
     * @param value           the new value.
     * @return the version of the write.
     * @throws VersionMismatchException carrying the key's actual version if it had another one.
     * @throws ChainKvException         (another subclass) if the request failed.
     */
    public long compareAndSet(final byte[] key, final long expectedVersion, final byte[] value)
    {
        checkNotReceiverThread();
        return await(compareAndSetAsync(key, expectedVersion, value));
    }

    /**
     * @param key the key.
     * @return completes with the value and version, or null if the key is absent; or with a
     * {@link ChainKvException}.
     */
    public CompletableFuture<VersionedValue> getAsync(final byte[] key)
    {
        return getAsync(key, defaultReadMode);
    }

    /**
     * @param key      the key.
     * @param readMode what the read may answer (docs/reads.md).
     * @return completes with the value and version, or null if the key is absent; or with a
     * {@link ChainKvException}.
     */
    public CompletableFuture<VersionedValue> getAsync(final byte[] key, final ReadMode readMode)
    {
        Objects.requireNonNull(readMode, "readMode");
        return submit(OpType.GET, key, null, readMode.usesSessionToken() ? sessionVersion.get() : 0, readMode);
    }

    /**
     * @return this client's session token: the newest version it has written or read. Reads in
     * {@link ReadMode#READ_YOUR_WRITES} and {@link ReadMode#MONOTONIC} reflect at least this version.
     */
    public long sessionVersion()
    {
        return sessionVersion.get();
    }

    /**
     * @param key   the key.
     * @param value the value.
     * @return completes with the version of the write, or with a {@link ChainKvException}.
     */
    public CompletableFuture<Long> putAsync(final byte[] key, final byte[] value)
    {
        return submit(OpType.PUT, key, Objects.requireNonNull(value, "value"), 0, ReadMode.LINEARIZABLE);
    }

    /**
     * @param key the key.
     * @return completes with true if the key existed, or with a {@link ChainKvException}.
     */
    public CompletableFuture<Boolean> deleteAsync(final byte[] key)
    {
        return submit(OpType.DELETE, key, null, 0, ReadMode.LINEARIZABLE);
    }

    /**
     * @param key             the key.
     * @param expectedVersion the version the key must have; 0 means absent.
     * @param value           the new value.
     * @return completes with the version of the write, or with a {@link VersionMismatchException} or another
     * {@link ChainKvException}.
     */
    public CompletableFuture<Long> compareAndSetAsync(final byte[] key, final long expectedVersion, final byte[] value)
    {
        if (expectedVersion < 0)
        {
            throw new IllegalArgumentException("expectedVersion must be >= 0 (0 = absent), was " + expectedVersion);
        }
        return submit(OpType.CAS, key, Objects.requireNonNull(value, "value"), expectedVersion, ReadMode.LINEARIZABLE);
    }

    /**
     * @return the random id this client puts in the requests it starts now: its session's id. A new session (after the
     * chain ended the previous one, {@link SessionExpiredException}) has a new id.
     */
    public long clientId()
    {
        return session.id();
    }

    /**
     * @return attempts this client has sent again (after an attempt timeout or a retryable answer such as a
     * reconfiguring chain) since it started; a retried request counts once per extra attempt. For monitoring.
     */
    public long retries()
    {
        final ClientAgent agent = this.agent;
        return null == agent ? 0 : agent.attemptsResent();
    }

    /**
     * @return the channel nodes send replies to, {@code aeron:udp?endpoint=host:port}.
     */
    public String replyChannel()
    {
        return replyChannel;
    }

    /**
     * Stops the receiver thread, fails the requests still in flight with {@link UnavailableException}, and
     * releases the publications, the subscription and the client's own media driver and directory.
     */
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        if (null != agent && Thread.currentThread() != agentThread)
        {
            agent.closeSessionAndWait(SESSION_CLOSE_TIMEOUT_NS);
        }
        CloseHelper.quietClose(agentRunner);
        for (final PendingRequest request : pending)
        {
            request.wakeAll();
        }
        CloseHelper.quietCloseAll(sender, replies);
        CloseHelper.quietClose(null != embeddedAeron ? embeddedAeron : aeron);
        // Only a source the client made itself (ClientConfig.zooKeeper); one the caller passed in is theirs.
        CloseHelper.quietClose(ownedConfigSource);
        if (null != agent && (agent.ignoredReplies() > 0 || agent.malformedReplies() > 0))
        {
            LOG.debug("client {} closed; ignored {} replies, {} malformed", Long.toHexString(session.id()),
                agent.ignoredReplies(), agent.malformedReplies());
        }
    }

    public String toString()
    {
        return "ChainKvClient{clientId=" + Long.toHexString(session.id()) + ", replyChannel=" + replyChannel + ", config=" +
            configSource.current() + "}";
    }

    private void start(final ClientConfig config, final TransportSettings settings)
    {
        final ManyToOneConcurrentArrayQueue<Integer> goneSessions =
            new ManyToOneConcurrentArrayQueue<>(GONE_SESSIONS_CAPACITY);
        // Bind an ephemeral port: many clients share a host, and nodes learn the port from each request.
        replies = aeron.addSubscription(
            "aeron:udp?endpoint=" + config.replyHost() + ":0",
            StreamIds.CLIENT_REPLY,
            null,
            (image) -> goneSessions.offer(image.sessionId()));
        replyChannel = "aeron:udp?endpoint=" + resolveReplyEndpoint(replies, embeddedAeron);

        sender = new RequestSender(aeron, settings, configSource, session, replyChannel, embeddedAeron);
        sender.warmUp();

        // Accept replies up to the larger of our own and the protocol's default value limit, so a node with
        // a higher limit than this client's still gets its GET answers through.
        final int maxReplyLength = ProtocolLimits.MAX_ENVELOPE_LENGTH +
            Math.max(maxValueLength, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH);
        agent = new ClientAgent(session, keepaliveIntervalNs, replies, maxReplyLength, goneSessions, pending, sender, configSource,
            settings.newVerifier(KeyRole.CLIENT), sessionVersion,
            attemptTimeoutNs, config.maxRetryBackoff().toNanos());
        // With the driver on the receiver thread, that thread also runs it first in every duty cycle.
        final boolean invoked = null != embeddedAeron && embeddedAeron.isInvoked();
        agentRunner = new AgentRunner(settings.newIdleStrategy(),
            (throwable) -> LOG.error("client receiver error", throwable), null,
            invoked ? new InvokingAgent(embeddedAeron, agent) : agent);
        agentThread = AgentRunner.startOnThread(agentRunner, (runnable) ->
        {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            return thread;
        });
    }

    private static String resolveReplyEndpoint(final Subscription subscription, final EmbeddedAeron transport)
    {
        final long deadlineNs = System.nanoTime() + RESOLVE_PORT_TIMEOUT_NS;
        String resolved;
        while (null == (resolved = subscription.tryResolveChannelEndpointPort()))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("reply subscription " + subscription.channel() +
                    " did not bind a port within 5 s; check that the reply host is a local address");
            }
            if (null != transport)
            {
                // Invoked: nothing else runs the driver yet (does nothing for a driver with its own thread).
                transport.invoke();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return ChannelUri.parse(resolved).get(CommonContext.ENDPOINT_PARAM_NAME);
    }

    private <T> CompletableFuture<T> submit(
        final OpType op, final byte[] key, final byte[] value, final long expectedVersion, final ReadMode readMode)
    {
        Objects.requireNonNull(key, "key");
        if (closed.get())
        {
            return CompletableFuture.failedFuture(new IllegalStateException("ChainKvClient is closed"));
        }
        if (key.length > maxKeyLength)
        {
            return CompletableFuture.failedFuture(Failures.keyTooLarge(key.length, maxKeyLength));
        }
        if (null != value && value.length > maxValueLength)
        {
            return CompletableFuture.failedFuture(Failures.valueTooLarge(value.length, maxValueLength));
        }

        final CompletableFuture<Object> future = new CompletableFuture<>();
        final long seq = lastSeq.incrementAndGet();
        if (Thread.currentThread() == agentThread && !pending[PendingRequest.indexOf(seq)].isReadyFor(seq))
        {
            // A callback on the receiver thread must not wait for a slot only that thread can free.
            ForkJoinPool.commonPool().execute(() -> claimAndSend(seq, op, key, value, expectedVersion, readMode, future));
        }
        else
        {
            claimAndSend(seq, op, key, value, expectedVersion, readMode, future);
        }

        @SuppressWarnings("unchecked")
        final CompletableFuture<T> typed = (CompletableFuture<T>)(CompletableFuture<?>)future;
        return typed;
    }

    private void claimAndSend(
        final long seq,
        final OpType op,
        final byte[] key,
        final byte[] value,
        final long expectedVersion,
        final ReadMode readMode,
        final CompletableFuture<Object> future)
    {
        final PendingRequest request = pending[PendingRequest.indexOf(seq)];
        if (!request.awaitTurn(seq))
        {
            future.completeExceptionally(Failures.closed(op, seq));
            return;
        }

        final long nowNs = System.nanoTime();
        request.seq = seq;
        request.sessionId = session.id();
        request.attemptsOffered = 0;
        request.attemptsRefused = 0;
        request.op = op;
        request.key = key;
        request.value = value;
        request.expectedVersion = expectedVersion;
        request.readMode = readMode;
        request.readAtTail = false;
        request.future = future;
        request.startNs = nowNs;
        request.deadlineNs = nowNs + requestTimeoutNs;
        request.nextActionNs = nowNs + attemptTimeoutNs;
        request.backoffNs = retryBackoffNs;
        request.attempts = 1;
        request.lastStatus = null;
        request.lastDetail = null;
        request.publish();

        boolean sent = false;
        try
        {
            sent = sender.send(request);
        }
        catch (final RuntimeException ex)
        {
            // Closed publication or driver trouble: the agent retries, or fails it at the deadline or on close.
            LOG.debug("send of request {} failed", seq, ex);
        }
        if (!sent)
        {
            request.needsResend = true;
        }

        if (agent.isClosed())
        {
            // The agent may have swept the table before this request was published.
            ClientAgent.fail(request, seq, Failures.closed(op, seq));
        }
        request.release(seq, PendingRequest.SENDING);
    }

    private void checkNotReceiverThread()
    {
        if (Thread.currentThread() == agentThread)
        {
            throw new IllegalStateException("a synchronous ChainKvClient call from a callback on the client's " +
                "receiver thread would wait for itself; use the ...Async methods (or thenComposeAsync)");
        }
    }

    private static <T> T await(final CompletableFuture<T> future)
    {
        try
        {
            // Bounded: the receiver completes every request by its deadline, and close() fails the rest.
            return future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ChainKvException(null, "interrupted while waiting for an answer; the request may still " +
                "complete on the chain", ex);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof ChainKvException)
            {
                // Created on the receiver thread; give the caller a stack trace that shows its own call.
                cause.fillInStackTrace();
                throw (ChainKvException)cause;
            }
            if (cause instanceof RuntimeException)
            {
                throw (RuntimeException)cause;
            }
            throw new ChainKvException(null, "request failed: " + cause, cause);
        }
    }
}
