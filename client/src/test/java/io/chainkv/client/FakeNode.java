package io.chainkv.client;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.chainkv.security.KeyRole;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.protocol.ProtocolLimits;
import io.chainkv.protocol.codecs.ClientRequestDecoder;
import io.chainkv.protocol.codecs.ClientResponseEncoder;
import io.chainkv.protocol.codecs.MessageHeaderDecoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.Status;
import io.chainkv.transport.Channels;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.MessageAssembler;
import io.chainkv.transport.MessageSender;
import io.chainkv.transport.StreamIds;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A one-member "chain" for client tests: an Aeron subscriber on CLIENT_REQUEST that answers from a HashMap
 * the way the node contract says (versions from one counter, exactly-once table per client), with knobs to
 * misbehave: drop attempts, stay silent, answer a fixed status, or hold replies back.
 * <p>
 * Runs on its own media driver and thread, so it is as separate from the client as a real node.
 */
public final class FakeNode implements AutoCloseable
{
    private static final long OFFER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);

    private final TransportSettings settings;
    private final EmbeddedAeron aeron;
    private final Subscription requests;
    private final ChainConfig chainConfig;
    private final NodeAgent agent;
    private final AgentRunner runner;

    // Knobs, set by the test thread.
    private volatile int dropAttemptsPerRequest;
    private volatile int loseRepliesPerRequest;
    private volatile boolean silent;
    private volatile Status forcedStatus;
    private volatile String forcedDetail;
    private volatile boolean holdReplies;

    // Observations, read by the test thread.
    private final AtomicInteger requestsReceived = new AtomicInteger();
    private final AtomicInteger writesApplied = new AtomicInteger();
    private final AtomicInteger windowViolations = new AtomicInteger();
    private final AtomicInteger maxOutstanding = new AtomicInteger();
    private final AtomicLong highestSeq = new AtomicLong();
    private final Map<Long, Integer> attemptsBySeq = new HashMap<>();
    private final Map<Long, List<Short>> opensSessionBySeq = new HashMap<>();

    public FakeNode(final TransportSettings settings)
    {
        this.settings = settings;
        this.aeron = EmbeddedAeron.launch(EmbeddedAeron.uniqueDirectory("fake-node"), settings);
        try
        {
            requests = aeron.aeron().addSubscription(Channels.udp("127.0.0.1:0", settings), StreamIds.CLIENT_REQUEST);
            String resolved;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (null == (resolved = requests.tryResolveChannelEndpointPort()))
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("fake node could not bind a port");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            final String endpoint = ChannelUri.parse(resolved).get(CommonContext.ENDPOINT_PARAM_NAME);
            chainConfig = new ChainConfig("test-cluster", 7, 3, List.of(new ChainMember("fake", endpoint)));
            agent = new NodeAgent();
            runner = new AgentRunner(settings.newIdleStrategy(), Throwable::printStackTrace, null, agent);
            AgentRunner.startOnThread(runner);
        }
        catch (final RuntimeException ex)
        {
            aeron.close();
            throw ex;
        }
    }

    /**
     * @return a configuration naming this node as head and tail.
     */
    public ChainConfig chainConfig()
    {
        return chainConfig;
    }

    /**
     * Back to a well-behaved node with an empty store and no observations.
     */
    public void reset()
    {
        dropAttemptsPerRequest = 0;
        loseRepliesPerRequest = 0;
        silent = false;
        forcedStatus = null;
        forcedDetail = null;
        holdReplies = false;
        agent.commands.offer(NodeAgent.RESET);
        awaitCommandsDone();
        requestsReceived.set(0);
        writesApplied.set(0);
        windowViolations.set(0);
        maxOutstanding.set(0);
        highestSeq.set(0);
        synchronized (attemptsBySeq)
        {
            attemptsBySeq.clear();
            opensSessionBySeq.clear();
        }
    }

    /**
     * @param requestSeq a request sequence number.
     * @return the {@code opensSession} flag of each attempt of it that arrived, in order.
     */
    public List<Short> opensSessionFlagsOf(final long requestSeq)
    {
        synchronized (attemptsBySeq)
        {
            return List.copyOf(opensSessionBySeq.getOrDefault(requestSeq, List.of()));
        }
    }

    public void dropAttemptsPerRequest(final int count)
    {
        dropAttemptsPerRequest = count;
    }

    /**
     * @param count attempts of each request that are applied but whose reply is lost.
     */
    public void loseRepliesPerRequest(final int count)
    {
        loseRepliesPerRequest = count;
    }

    public void silent(final boolean silent)
    {
        this.silent = silent;
    }

    public void answerEverythingWith(final Status status, final String detail)
    {
        forcedDetail = detail;
        forcedStatus = status;
    }

    public void holdReplies(final boolean hold)
    {
        holdReplies = hold;
        if (!hold)
        {
            agent.commands.offer(NodeAgent.RELEASE_HELD);
        }
    }

    public int requestsReceived()
    {
        return requestsReceived.get();
    }

    public int writesApplied()
    {
        return writesApplied.get();
    }

    public int windowViolations()
    {
        return windowViolations.get();
    }

    public int maxOutstanding()
    {
        return maxOutstanding.get();
    }

    public long highestSeqReceived()
    {
        return highestSeq.get();
    }

    /**
     * @param requestSeq a request sequence number.
     * @return how many attempts of it arrived (from any client).
     */
    public int attemptsOf(final long requestSeq)
    {
        synchronized (attemptsBySeq)
        {
            return attemptsBySeq.getOrDefault(requestSeq, 0);
        }
    }

    public void close()
    {
        CloseHelper.closeAll(runner, aeron);
    }

    private void awaitCommandsDone()
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!agent.commands.isEmpty() || agent.busyWithCommand)
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("fake node did not process its commands");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static final class Entry
    {
        final byte[] value;
        final long version;

        Entry(final byte[] value, final long version)
        {
            this.value = value;
            this.version = version;
        }
    }

    private static final class Reply
    {
        final String endpoint;
        final long clientId;
        final long requestSeq;
        final OpType op;
        final Status status;
        final long version;
        final byte[] value;
        final String detail;

        Reply(final String endpoint, final long clientId, final long requestSeq, final OpType op, final Status status,
            final long version, final byte[] value, final String detail)
        {
            this.endpoint = endpoint;
            this.clientId = clientId;
            this.requestSeq = requestSeq;
            this.op = op;
            this.status = status;
            this.version = version;
            this.value = value;
            this.detail = detail;
        }
    }

    private final class NodeAgent implements Agent, FragmentHandler
    {
        static final int RESET = 1;
        static final int RELEASE_HELD = 2;

        final ManyToOneConcurrentArrayQueue<Integer> commands = new ManyToOneConcurrentArrayQueue<>(64);
        volatile boolean busyWithCommand;

        private final MessageAssembler assembler = new MessageAssembler(this,
            ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH + ProtocolLimits.DEFAULT_MAX_KEY_LENGTH +
            ProtocolLimits.MAX_ENVELOPE_LENGTH, settings.newVerifier(KeyRole.CLIENT), StreamIds.CLIENT_REQUEST);
        private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final ClientRequestDecoder requestDecoder = new ClientRequestDecoder();
        private final ClientResponseEncoder responseEncoder = new ClientResponseEncoder();
        private final UnsafeBuffer replyBuffer = new UnsafeBuffer(new byte[2 * ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH]);
        private final MessageSender sender = settings.newSender(KeyRole.CLIENT, settings.maxMessageLength());
        private final Map<String, Publication> replyPublications = new HashMap<>();
        private final Map<ByteBuffer, Entry> store = new HashMap<>();
        private final Map<Long, Map<Long, Reply>> completedWrites = new HashMap<>();
        private final Map<Long, Set<Long>> outstandingByClient = new HashMap<>();
        private final List<Reply> held = new ArrayList<>();
        private long lastVersion;

        public String roleName()
        {
            return "fake-node";
        }

        public int doWork()
        {
            int work = 0;
            Integer command;
            while (null != (command = commands.peek()))
            {
                busyWithCommand = true;
                commands.poll();
                if (RESET == command)
                {
                    store.clear();
                    completedWrites.clear();
                    outstandingByClient.clear();
                    held.clear();
                    lastVersion = 0;
                }
                else if (RELEASE_HELD == command)
                {
                    for (final Reply reply : held)
                    {
                        send(reply);
                    }
                    held.clear();
                }
                busyWithCommand = false;
                work++;
            }
            return work + requests.poll(assembler, 64);
        }

        public void onClose()
        {
            CloseHelper.closeAll(replyPublications.values());
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            headerDecoder.wrap(buffer, offset);
            if (ClientRequestDecoder.TEMPLATE_ID != headerDecoder.templateId())
            {
                return;
            }
            final ClientRequestDecoder request = requestDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            final long clientId = request.clientId();
            final long seq = request.requestSeq();
            final long expectedVersion = request.expectedVersion();
            final OpType op = request.op();
            final short opensSession = request.opensSession();
            if (OpType.KEEPALIVE == op || OpType.SESSION_CLOSE == op)
            {
                // Session messages are never answered.
                return;
            }
            final byte[] key = new byte[request.keyLength()];
            request.getKey(key, 0, key.length);
            final byte[] value = new byte[request.valueLength()];
            request.getValue(value, 0, value.length);
            final String endpoint = Channels.replyEndpointOrNull(request.replyChannel());

            requestsReceived.incrementAndGet();
            highestSeq.accumulateAndGet(seq, Math::max);
            final int attempt;
            synchronized (attemptsBySeq)
            {
                attempt = attemptsBySeq.merge(seq, 1, Integer::sum);
                opensSessionBySeq.computeIfAbsent(seq, (s) -> new ArrayList<>()).add(opensSession);
            }

            final Set<Long> outstanding = outstandingByClient.computeIfAbsent(clientId, (id) -> new HashSet<>());
            if (outstanding.add(seq))
            {
                if (outstanding.contains(seq - ProtocolLimits.EXACTLY_ONCE_WINDOW))
                {
                    windowViolations.incrementAndGet();
                }
                maxOutstanding.accumulateAndGet(outstanding.size(), Math::max);
            }

            if (attempt <= dropAttemptsPerRequest || silent || null == endpoint)
            {
                return;
            }

            final Reply reply;
            final Status forced = forcedStatus;
            if (null != forced)
            {
                reply = new Reply(endpoint, clientId, seq, op, forced, 0, null, forcedDetail);
            }
            else
            {
                reply = apply(endpoint, clientId, seq, op, key, value, expectedVersion);
            }

            if (attempt <= dropAttemptsPerRequest + loseRepliesPerRequest)
            {
                return;
            }
            if (holdReplies)
            {
                held.add(reply);
            }
            else
            {
                send(reply);
            }
        }

        private Reply apply(
            final String endpoint, final long clientId, final long seq, final OpType op, final byte[] key,
            final byte[] value, final long expectedVersion)
        {
            final ByteBuffer storeKey = ByteBuffer.wrap(key);
            final Entry entry = store.get(storeKey);
            if (OpType.GET == op)
            {
                return null == entry ?
                    new Reply(endpoint, clientId, seq, op, Status.NOT_FOUND, 0, null, null) :
                    new Reply(endpoint, clientId, seq, op, Status.OK, entry.version, entry.value, null);
            }

            final Map<Long, Reply> completed = completedWrites.computeIfAbsent(clientId, (id) -> new HashMap<>());
            final Reply earlier = completed.get(seq);
            if (null != earlier)
            {
                return earlier;
            }

            final Reply reply;
            switch (op)
            {
                case PUT:
                    store.put(storeKey, new Entry(value, ++lastVersion));
                    writesApplied.incrementAndGet();
                    reply = new Reply(endpoint, clientId, seq, op, Status.OK, lastVersion, null, null);
                    break;

                case DELETE:
                    if (null == entry)
                    {
                        reply = new Reply(endpoint, clientId, seq, op, Status.NOT_FOUND, 0, null, null);
                    }
                    else
                    {
                        store.remove(storeKey);
                        writesApplied.incrementAndGet();
                        reply = new Reply(endpoint, clientId, seq, op, Status.OK, ++lastVersion, null, null);
                    }
                    break;

                case CAS:
                    final long current = null == entry ? 0 : entry.version;
                    if (current != expectedVersion)
                    {
                        reply = new Reply(endpoint, clientId, seq, op, Status.VERSION_MISMATCH, current, null,
                            "key is at version " + current);
                    }
                    else
                    {
                        store.put(storeKey, new Entry(value, ++lastVersion));
                        writesApplied.incrementAndGet();
                        reply = new Reply(endpoint, clientId, seq, op, Status.OK, lastVersion, null, null);
                    }
                    break;

                default:
                    reply = new Reply(endpoint, clientId, seq, op, Status.MALFORMED, 0, null, "unknown op");
                    break;
            }
            completed.put(seq, reply);
            return reply;
        }

        private void send(final Reply reply)
        {
            final Set<Long> outstanding = outstandingByClient.get(reply.clientId);
            if (null != outstanding)
            {
                outstanding.remove(reply.requestSeq);
            }

            final byte[] value = null == reply.value ? new byte[0] : reply.value;
            responseEncoder.wrapAndApplyHeader(replyBuffer, 0, headerEncoder)
                .clusterId(chainConfig.clusterId())
                .chainId(chainConfig.chainId())
                .epoch(chainConfig.epoch())
                .clientId(reply.clientId)
                .requestSeq(reply.requestSeq)
                .version(reply.version)
                .op(reply.op)
                .status(reply.status)
                .putValue(value, 0, value.length)
                .detail(null == reply.detail ? "" : reply.detail);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength();

            final Publication publication = replyPublications.computeIfAbsent(reply.endpoint,
                (e) -> aeron.aeron().addPublication(Channels.udp(e, settings), StreamIds.CLIENT_REPLY));
            // A fresh reply publication needs a moment to connect: wait for it rather than drop the reply.
            final long deadlineNs = System.nanoTime() + OFFER_TIMEOUT_NS;
            while (sender.send(publication, replyBuffer, 0, length, reply.requestSeq) < 0)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
    }
}
