package io.chainkv.client;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.protocol.ProtocolLimits;
import io.chainkv.protocol.codecs.ClientRequestEncoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.security.KeyRole;
import io.chainkv.transport.Channels;
import io.chainkv.security.KeyRole;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.MessageSender;
import io.chainkv.transport.StreamIds;
import io.chainkv.transport.TransportSettings;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * Encodes a pending request for the current configuration and offers it to the right node: writes to the
 * head; reads to the member with the fewest reads of this client in flight (CRAQ; a slow or paused member collects
 * no more than its share), skipping members that recently failed to answer, or to the tail for
 * {@link ReadMode#TAIL}. Used by callers' threads for first attempts and by the receiver agent for
 * retries; each thread encodes into its own buffer and chunks through its own {@link MessageSender}.
 * <p>
 * When the client's media driver runs on the receiver thread (see {@link #receiverStarted}), only
 * that thread may create publications, because creating one runs the driver: a caller whose request is for a
 * member without a publication yet leaves the attempt to the receiver, which creates the publications of every new
 * configuration's members as soon as it sees it ({@link #warmUp()}).
 * <p>
 * Every attempt re-reads {@link ChainConfigSource#current()}, so a retry after a reconfiguration carries
 * the new epoch and goes to the new head or tail.
 */
final class RequestSender implements AutoCloseable
{
    // Per client, not per process: a thread's sender signs with this client's key, and clients of one process may
    // hold different keys (docs/security.md, "Per-client keys").
    private final ThreadLocal<ThreadEncoder> encoders = ThreadLocal.withInitial(ThreadEncoder::new);

    private final Aeron aeron;
    private final TransportSettings settings;
    private final ChainConfigSource configSource;
    private final ClientSession session;
    private final byte[] replyChannel;
    private final boolean driverOnReceiver;
    private final TransportSettings ownerSettings;
    private volatile Thread transportOwner;
    // The owner's own chunking sender: its waits must run this client's driver, whichever other clients the
    // thread also sends through (their senders are thread-local and do not).
    private MessageSender ownerSender;
    private static final long SUSPECT_NS = TimeUnit.SECONDS.toNanos(2);

    private final Map<String, Publication> publicationsByEndpoint = new ConcurrentHashMap<>();
    private final Map<String, Long> suspectUntilNs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> readsInFlight = new ConcurrentHashMap<>();
    private static final AtomicReferenceFieldUpdater<PendingRequest, String> COUNTED =
        AtomicReferenceFieldUpdater.newUpdater(
            PendingRequest.class, String.class, "countedEndpoint");

    RequestSender(
        final Aeron aeron,
        final TransportSettings settings,
        final ChainConfigSource configSource,
        final ClientSession session,
        final String replyChannel,
        final EmbeddedAeron transport)
    {
        this.aeron = aeron;
        this.settings = settings;
        this.configSource = configSource;
        this.session = session;
        this.replyChannel = replyChannel.getBytes(StandardCharsets.US_ASCII);
        this.driverOnReceiver = null != transport && transport.isInvoked();
        this.ownerSettings = driverOnReceiver ? settings.drivingWhileIdle(transport) : settings;
    }

    /**
     * Called by the receiver thread as it starts. When the client's driver runs on that thread, from now on only it
     * creates publications, and it runs the driver while it waits out back pressure.
     *
     * @param receiver the receiver thread.
     */
    void receiverStarted(final Thread receiver)
    {
        if (driverOnReceiver)
        {
            transportOwner = receiver;
        }
    }

    /**
     * Sends one attempt of a request.
     *
     * @param request a published request whose fields are stable while the calling thread sends it.
     * @return true if the node's publication took it; false if not connected, back pressured or closed.
     */
    boolean send(final PendingRequest request)
    {
        final ChainConfig config = configSource.current();
        final boolean read = OpType.GET == request.op;
        final String endpoint = read ? readTarget(config, request) : config.head().endpoint();
        final boolean onOwner = Thread.currentThread() == transportOwner;
        final Publication publication = publicationFor(endpoint);
        if (null == publication)
        {
            return false;
        }
        final ThreadEncoder encoder = encoders.get();
        final boolean opensSession = !read && session.mayOpen(request.sessionId) &&
            request.attemptsOffered == request.attemptsRefused;
        final int length = encoder.encode(config, request, opensSession, replyChannel);
        if (!read)
        {
            session.writeSent(System.nanoTime());
        }
        if (read)
        {
            // Counted before the offer: the answer may reach the receiver before this thread returns.
            releaseRead(request);
            inFlightAt(endpoint).incrementAndGet();
            COUNTED.set(request, endpoint);
        }
        final boolean sent =
            (onOwner ? ownerSender(publication) : encoder.sender(publication, settings))
                .send(publication, encoder.buffer, 0, length, request.seq) > 0;
        if (!sent && read)
        {
            releaseRead(request);
        }
        if (sent && !read)
        {
            request.attemptsOffered++;
        }
        return sent;
    }

    /**
     * Sends a session message to the head, never answered: a keepalive renewing the session's lease, or the session's
     * close. Best effort: a lost keepalive is repeated, a lost close leaves the session to expire.
     *
     * @param op        {@link OpType#KEEPALIVE} or {@link OpType#SESSION_CLOSE}.
     * @param sessionId the session.
     * @return true if the head's publication took it.
     */
    boolean sendSessionMessage(final OpType op, final long sessionId)
    {
        final ChainConfig config = configSource.current();
        final Publication publication = publicationFor(config.head().endpoint());
        if (null == publication)
        {
            return false;
        }
        final ThreadEncoder encoder = encoders.get();
        final int length = encoder.encodeSessionMessage(config, op, sessionId, replyChannel);
        return (Thread.currentThread() == transportOwner ? ownerSender(publication) : encoder.sender(publication, settings))
            .offer(publication, encoder.buffer, 0, length) > 0;
    }

    /**
     * The read's attempt is answered, timed out or abandoned: it no longer counts against its member.
     *
     * @param request a read or any other request (then nothing happens).
     * @return the member the attempt was counted against, or null if none was (not a read, or already released).
     */
    String releaseRead(final PendingRequest request)
    {
        final String endpoint = COUNTED.getAndSet(request, null);
        if (null != endpoint)
        {
            inFlightAt(endpoint).decrementAndGet();
        }
        return endpoint;
    }

    private AtomicInteger inFlightAt(final String endpoint)
    {
        final AtomicInteger count = readsInFlight.get(endpoint);
        return null != count ? count :
            readsInFlight.computeIfAbsent(endpoint, (e) -> new AtomicInteger());
    }

    /**
     * Marks a member as one to skip for reads for a while: it timed out or could not answer.
     *
     * @param endpoint the member's endpoint, or null.
     * @param nowNs    the time now.
     */
    void suspect(final String endpoint, final long nowNs)
    {
        if (null != endpoint)
        {
            suspectUntilNs.put(endpoint, nowNs + SUSPECT_NS);
        }
    }

    /**
     * Picks the member a read attempt goes to: the one with the fewest of this client's reads in flight, skipping
     * suspects and members that answer no reads in this configuration, ties broken by rotating over request and attempt numbers (so a retry goes elsewhere); the tail when
     * the mode or an answer asks for it.
     */
    private String readTarget(final ChainConfig config, final PendingRequest request)
    {
        final String tail = config.tail().endpoint();
        if (ReadMode.TAIL == request.readMode || request.readAtTail)
        {
            return tail;
        }
        final List<ChainMember> members = config.members();
        final int count = members.size();
        final int first = (int)Long.remainderUnsigned(request.seq + request.attempts - 1, count);
        final long nowNs = System.nanoTime();
        String best = null;
        int bestInFlight = Integer.MAX_VALUE;
        for (int i = 0; i < count; i++)
        {
            final ChainMember member = members.get((first + i) % count);
            if (!config.answersReads(member.nodeId()))
            {
                // Leaving the chain, or a tail whose handoff is not confirmed yet: it refuses reads.
                continue;
            }
            final String endpoint = member.endpoint();
            final Long until = suspectUntilNs.get(endpoint);
            if (null == until || nowNs - until >= 0)
            {
                final int inFlight = inFlightAt(endpoint).get();
                if (inFlight < bestInFlight)
                {
                    best = endpoint;
                    bestInFlight = inFlight;
                }
            }
        }
        return null != best ? best : tail;
    }

    /**
     * Creates the publications to the current members so they are connected by the first request. Called by the
     * thread that starts the client and by the receiver thread on every new configuration.
     */
    void warmUp()
    {
        final ChainConfig config = configSource.current();
        for (final ChainMember member : config.members())
        {
            publicationFor(member.endpoint());
        }
    }

    public void close()
    {
        CloseHelper.closeAll(publicationsByEndpoint.values());
        publicationsByEndpoint.clear();
    }

    private MessageSender ownerSender(final Publication publication)
    {
        if (null == ownerSender || ownerSender.maxMessageLength() < publication.maxMessageLength())
        {
            ownerSender = ownerSettings.newSender(KeyRole.CLIENT, publication.maxMessageLength());
        }
        return ownerSender;
    }

    /**
     * @return the endpoint's publication, created if this thread may create one; null if it may not and none exists.
     */
    private Publication publicationFor(final String endpoint)
    {
        final Publication publication = publicationsByEndpoint.get(endpoint);
        final Thread owner = transportOwner;
        if (null != publication || (null != owner && Thread.currentThread() != owner))
        {
            return publication;
        }
        // Publications to members of old configurations stay open: there are few and they may return.
        return publicationsByEndpoint.computeIfAbsent(
            endpoint, (e) -> aeron.addPublication(Channels.udp(e, settings), StreamIds.CLIENT_REQUEST));
    }

    /**
     * One thread's encoding state for one client: buffers, and a sender that signs with the client's key.
     */
    private static final class ThreadEncoder
    {
        private static final int MIN_CAPACITY = 4096;

        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final ClientRequestEncoder requestEncoder = new ClientRequestEncoder();
        private UnsafeBuffer buffer = new UnsafeBuffer(new byte[MIN_CAPACITY]);
        private MessageSender sender;

        int encodeSessionMessage(final ChainConfig config, final OpType op, final long sessionId, final byte[] replyChannel)
        {
            requestEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clusterId(config.clusterId())
                .chainId(config.chainId())
                .replyStreamId(StreamIds.CLIENT_REPLY)
                .epoch(config.epoch())
                .clientId(sessionId)
                .requestSeq(0)
                .expectedVersion(0)
                .op(op)
                .readMode(io.chainkv.protocol.codecs.ReadMode.LINEARIZABLE)
                .opensSession((short)0)
                .putKey(EMPTY, 0, 0)
                .putValue(EMPTY, 0, 0)
                .putReplyChannel(replyChannel, 0, replyChannel.length);
            return MessageHeaderEncoder.ENCODED_LENGTH + requestEncoder.encodedLength();
        }

        int encode(
            final ChainConfig config, final PendingRequest request, final boolean opensSession, final byte[] replyChannel)
        {
            final byte[] value = null == request.value ? EMPTY : request.value;
            final int required = ProtocolLimits.MAX_ENVELOPE_LENGTH + replyChannel.length + request.key.length +
                value.length;
            if (buffer.capacity() < required)
            {
                // Grows once per thread to the largest request it sends; 1 MiB values keep ~2 MiB per thread.
                buffer = new UnsafeBuffer(new byte[BitUtil.findNextPositivePowerOfTwo(required)]);
            }

            requestEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clusterId(config.clusterId())
                .chainId(config.chainId())
                .replyStreamId(StreamIds.CLIENT_REPLY)
                .epoch(config.epoch())
                .clientId(request.sessionId)
                .requestSeq(request.seq)
                .expectedVersion(request.expectedVersion)
                .op(request.op)
                .readMode(null == request.readMode ? io.chainkv.protocol.codecs.ReadMode.LINEARIZABLE :
                    request.readMode.wireValue())
                .opensSession((short)(opensSession ? 1 : 0))
                .putKey(request.key, 0, request.key.length)
                .putValue(value, 0, value.length)
                .putReplyChannel(replyChannel, 0, replyChannel.length);

            return MessageHeaderEncoder.ENCODED_LENGTH + requestEncoder.encodedLength();
        }

        MessageSender sender(final Publication publication, final TransportSettings settings)
        {
            if (null == sender || sender.maxMessageLength() < publication.maxMessageLength())
            {
                sender = settings.newSender(KeyRole.CLIENT, publication.maxMessageLength());
            }
            return sender;
        }

        private static final byte[] EMPTY = new byte[0];
    }
}
