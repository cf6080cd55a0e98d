package io.chainkv.node.replication;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.chainkv.security.ClientReplySigners;
import io.chainkv.security.FrameSigner;
import io.chainkv.transport.Channels;
import io.chainkv.transport.MessageSender;
import io.chainkv.transport.StreamIds;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * Sends responses to clients at the reply endpoints they name in their requests.
 * <p>
 * One publication per client, created the first time the client needs an answer and closed when the client's
 * session ends ({@link #release}), after it has been idle for {@code --reply-idle-timeout-ms}, or when more than
 * {@code --max-reply-publications} clients are known (least recently used first), so departed clients, or a flood of
 * made-up client ids, cannot exhaust the node. Each publication holds a handful of the media driver's counters until
 * it is closed; the node sizes the driver's counters for the budget ({@link #countersFor}). A new publication takes a moment to connect; responses
 * for it wait in a small per-client queue and are dropped after {@link #PENDING_TIMEOUT_NS}, or at once when the
 * waiting answers of all clients together would exceed {@code chainkv.reply.pending.max.bytes} (so clients that never
 * connect cannot pin the heap); the client times out and retries, which the exactly-once table makes safe.
 * <p>
 * Used by the replication agent's thread only.
 */
public final class ReplyRouter implements AutoCloseable
{
    static final long PENDING_TIMEOUT_NS = 2_000_000_000L;

    /** System property of the reply publication budget ({@code --max-reply-publications}). */
    public static final String MAX_PUBLICATIONS_PROP = "chainkv.reply.publications.max";
    /** Default budget: a few seconds of connection churn at the rate one node answers new clients. */
    public static final int DEFAULT_MAX_PUBLICATIONS = 1024;
    /** System property of the idle timeout of a reply publication ({@code --reply-idle-timeout-ms}). */
    public static final String IDLE_TIMEOUT_PROP = "chainkv.reply.idle.timeout.ms";
    /** Default idle timeout: a client that stays gets its publication back in one connect (~ms) on its next request. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 10_000;
    // Counters one reply publication holds in the driver (publisher limit, sender position and limit, back pressure
    // events, the channel's status and its send/receive channel endpoints), rounded up.
    private static final int COUNTERS_PER_PUBLICATION = 8;
    // Counters of everything else a node has: its own ~40, its subscriptions' images (one per client publication to
    // it, ~4 each, kept for the image liveness timeout after a client leaves), its neighbours' publications.
    private static final int BASE_COUNTERS = 8192;
    private static final int MAX_PENDING_PER_CLIENT = 1024;
    /** System property of the budget of answers waiting for their clients' publications to connect, in bytes. */
    public static final String MAX_PENDING_BYTES_PROP = "chainkv.reply.pending.max.bytes";
    /** Default: a few seconds of answers at full speed, far below a node's heap. */
    public static final long DEFAULT_MAX_PENDING_BYTES = 64L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ReplyRouter.class);

    private final Long2ObjectHashMap<Route> routes = new Long2ObjectHashMap<>();
    private final ArrayDeque<Route> withPending = new ArrayDeque<>();
    private final Aeron aeron;
    private final TransportSettings settings;
    private final MessageSender clientSender;
    private final MessageSender memberSender;
    private ClientReplySigners clientSigners;
    private final int maxClients;
    private final long maxPendingBytes;
    private long pendingBytes;
    private final long idleCloseNs;
    private long droppedCount;
    private long evictions;

    /**
     * @param aeron      client to create publications with.
     * @param settings   term length and MTU of reply publications.
     * @param clientSender sends (and chunks) replies to clients, signed with the client key (docs/security.md).
     * @param clientSigners picks the client key each client is answered under; null when authentication is off.
     * @param memberSender sends replies on any stream but the client reply stream: answers to members' version
     *                     queries, which members accept only under the member key.
     * @param maxClients  clients with an open reply publication at once.
     * @param idleCloseNs a publication not used for this long is closed.
     * @param maxPendingBytes answers waiting for publications to connect, all clients together, in bytes.
     */
    public ReplyRouter(
        final Aeron aeron,
        final TransportSettings settings,
        final MessageSender clientSender,
        final ClientReplySigners clientSigners,
        final MessageSender memberSender,
        final int maxClients,
        final long idleCloseNs,
        final long maxPendingBytes)
    {
        this.aeron = aeron;
        this.settings = settings;
        this.clientSender = clientSender;
        this.clientSigners = clientSigners;
        this.memberSender = memberSender;
        this.maxClients = maxClients;
        this.idleCloseNs = idleCloseNs;
        this.maxPendingBytes = maxPendingBytes;
    }

    /**
     * @return the budget of waiting answers ({@link #MAX_PENDING_BYTES_PROP}, else the default).
     */
    public static long maxPendingBytesFromSystemProperties()
    {
        return Long.getLong(MAX_PENDING_BYTES_PROP, DEFAULT_MAX_PENDING_BYTES);
    }

    /**
     * @return bytes of answers waiting for their clients' publications to connect.
     */
    public long pendingBytes()
    {
        return pendingBytes;
    }

    /**
     * @return the budget of reply publications ({@link #MAX_PUBLICATIONS_PROP}, else the default).
     */
    public static int maxPublicationsFromSystemProperties()
    {
        return Integer.getInteger(MAX_PUBLICATIONS_PROP, DEFAULT_MAX_PUBLICATIONS);
    }

    /**
     * @return the idle timeout of a reply publication in ns ({@link #IDLE_TIMEOUT_PROP}, else the default).
     */
    public static long idleTimeoutNsFromSystemProperties()
    {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(IDLE_TIMEOUT_PROP, DEFAULT_IDLE_TIMEOUT_MS));
    }

    /**
     * @param maxPublications the reply publication budget.
     * @return how many counters a node's media driver needs so that the budget, and everything else the node holds,
     * never runs it out of counters (Aeron then refuses every new publication and image: the node stops answering new
     * clients).
     */
    public static int countersFor(final int maxPublications)
    {
        return BASE_COUNTERS + COUNTERS_PER_PUBLICATION * maxPublications;
    }

    /**
     * Signs answers with other keys from now on: the key file changed (docs/security.md, "Issuing and revoking client
     * keys"). Clients with an open publication are answered under their key of the new file.
     *
     * @param clientSigners the client keys of the new file; ignored when authentication is off.
     */
    public void useKeys(final ClientReplySigners clientSigners)
    {
        if (null == this.clientSigners || null == clientSigners)
        {
            return;
        }
        this.clientSigners = clientSigners;
        for (final Long2ObjectHashMap<Route>.EntryIterator it = routes.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            final Route route = it.getValue();
            route.signer = clientSigners.forClient(it.getLongKey());
        }
    }

    /**
     * Closes the client's reply publication, if it has one: its session ended, so it will ask for nothing more.
     *
     * @param clientId the client.
     */
    public void release(final long clientId)
    {
        final Route route = routes.remove(clientId);
        if (null != route)
        {
            route.close();
        }
    }

    /**
     * Sends a response, or queues it while the client's publication connects.
     *
     * @param clientId       the client.
     * @param channelBuffer  buffer holding the reply channel text from the client's request.
     * @param channelOffset  offset of the text.
     * @param channelLength  length of the text.
     * @param streamId       the client's reply stream.
     * @param message        the encoded response.
     * @param offset         of the response.
     * @param length         of the response.
     * @param messageId      the request's seq (chunk id for large responses).
     * @param nowNs          current time.
     * @return false if the reply channel is not a valid unicast UDP channel and nothing was sent.
     */
    public boolean send(
        final long clientId,
        final DirectBuffer channelBuffer,
        final int channelOffset,
        final int channelLength,
        final int streamId,
        final DirectBuffer message,
        final int offset,
        final int length,
        final long messageId,
        final long nowNs)
    {
        Route route = routes.get(clientId);
        if (null == route || !route.matches(channelBuffer, channelOffset, channelLength, streamId))
        {
            route = openRoute(clientId, channelBuffer, channelOffset, channelLength, streamId, nowNs);
            if (null == route)
            {
                return false;
            }
        }
        route.lastUsedNs = nowNs;

        if (route.pending.isEmpty())
        {
            final long result = senderFor(route).send(route.publication, message, offset, length, messageId);
            if (result > 0)
            {
                return true;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                closeRoute(route);
                droppedCount++;
                return true;
            }
        }

        route.enqueue(message, offset, length, messageId, nowNs);
        if (route.pending.size() == 1)
        {
            withPending.add(route);
        }
        return true;
    }

    /**
     * Retries queued responses and closes idle publications.
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int doWork(final long nowNs)
    {
        int work = 0;
        for (int i = withPending.size(); i > 0; i--)
        {
            final Route route = withPending.poll();
            if (route.closed)
            {
                continue;
            }
            work += route.flush(senderFor(route), nowNs);
            if (!route.pending.isEmpty())
            {
                withPending.add(route);
            }
        }
        return work;
    }

    /**
     * Closes publications not used for the idle timeout; called now and then, not every duty cycle.
     *
     * @param nowNs current time.
     */
    public void closeIdle(final long nowNs)
    {
        final Iterator<Route> it = routes.values().iterator();
        while (it.hasNext())
        {
            final Route route = it.next();
            if (nowNs - route.lastUsedNs > idleCloseNs && route.pending.isEmpty())
            {
                it.remove();
                route.close();
            }
        }
    }

    /**
     * @return responses dropped because their client could not be reached in time.
     */
    public long droppedCount()
    {
        return droppedCount;
    }

    /**
     * @return clients with an open reply publication.
     */
    public int routeCount()
    {
        return routes.size();
    }

    public void close()
    {
        for (final Route route : routes.values())
        {
            route.close();
        }
        routes.clear();
        withPending.clear();
    }

    private MessageSender senderFor(final Route route)
    {
        // A client may only name the client reply stream (the agent drops a client-signed request naming another), so
        // a reply on any other stream answers a member, under the member key.
        if (StreamIds.CLIENT_REPLY != route.streamId)
        {
            return memberSender;
        }
        clientSender.signWith(route.signer);
        return clientSender;
    }

    private Route openRoute(
        final long clientId,
        final DirectBuffer channelBuffer,
        final int channelOffset,
        final int channelLength,
        final int streamId,
        final long nowNs)
    {
        final Route existing = routes.remove(clientId);
        if (null != existing)
        {
            existing.close();
        }

        final String channelText = channelBuffer.getStringWithoutLengthAscii(channelOffset, channelLength);
        final String endpoint = Channels.replyEndpointOrNull(channelText);
        if (null == endpoint || streamId <= 0)
        {
            droppedCount++;
            return null;
        }

        if (routes.size() >= maxClients)
        {
            evictLeastRecentlyUsed();
        }

        final ExclusivePublication publication = aeron.addExclusivePublication(Channels.udp(endpoint, settings), streamId);
        final FrameSigner signer = null == clientSigners ? null : clientSigners.forClient(clientId);
        final Route route = new Route(publication, channelText.getBytes(StandardCharsets.US_ASCII), streamId, signer,
            nowNs);
        routes.put(clientId, route);
        return route;
    }

    private void evictLeastRecentlyUsed()
    {
        long oldestId = 0;
        Route oldest = null;
        for (final Long2ObjectHashMap<Route>.EntryIterator it = routes.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            final Route route = it.getValue();
            if (null == oldest || route.lastUsedNs < oldest.lastUsedNs)
            {
                oldest = route;
                oldestId = it.getLongKey();
            }
        }
        if (null != oldest)
        {
            // Once per thousand: under churn at the budget every new client evicts one.
            if (0 == evictions++ % 1000)
            {
                LOG.warn("more than {} clients (--max-reply-publications); closing the reply publication of the least " +
                    "recently used one ({} so far)", maxClients, evictions);
            }
            routes.remove(oldestId);
            oldest.close();
        }
    }

    private void closeRoute(final Route route)
    {
        route.close();
        routes.values().removeIf((r) -> r == route);
    }

    private final class Route
    {
        final ExclusivePublication publication;
        final byte[] channel;
        final int streamId;
        // The key this client's answers are signed with (null when authentication is off).
        FrameSigner signer;
        final ArrayDeque<PendingReply> pending = new ArrayDeque<>();
        long lastUsedNs;
        boolean closed;

        Route(
            final ExclusivePublication publication,
            final byte[] channel,
            final int streamId,
            final FrameSigner signer,
            final long nowNs)
        {
            this.publication = publication;
            this.channel = channel;
            this.streamId = streamId;
            this.signer = signer;
            this.lastUsedNs = nowNs;
        }

        boolean matches(final DirectBuffer buffer, final int offset, final int length, final int streamId)
        {
            if (length != channel.length || streamId != this.streamId)
            {
                return false;
            }
            for (int i = 0; i < length; i++)
            {
                if (buffer.getByte(offset + i) != channel[i])
                {
                    return false;
                }
            }
            return true;
        }

        void enqueue(final DirectBuffer message, final int offset, final int length, final long messageId, final long nowNs)
        {
            if (pending.size() >= MAX_PENDING_PER_CLIENT)
            {
                pendingBytes -= pending.poll().length;
                droppedCount++;
            }
            if (pendingBytes + length > maxPendingBytes)
            {
                droppedCount++;
                return;
            }
            pendingBytes += length;
            final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(length);
            copy.putBytes(0, message, offset, length);
            pending.add(new PendingReply(copy, length, messageId, nowNs));
        }

        int flush(final MessageSender sender, final long nowNs)
        {
            int work = 0;
            PendingReply reply;
            while (null != (reply = pending.peek()))
            {
                if (nowNs - reply.enqueuedNs > PENDING_TIMEOUT_NS)
                {
                    pendingBytes -= pending.poll().length;
                    droppedCount++;
                    continue;
                }
                if (sender.send(publication, reply.buffer, 0, reply.length, reply.messageId) < 0)
                {
                    break;
                }
                pendingBytes -= pending.poll().length;
                work++;
            }
            return work;
        }

        void close()
        {
            closed = true;
            for (final PendingReply reply : pending)
            {
                pendingBytes -= reply.length;
            }
            pending.clear();
            CloseHelper.quietClose(publication);
        }
    }

    private static final class PendingReply
    {
        final ExpandableArrayBuffer buffer;
        final int length;
        final long messageId;
        final long enqueuedNs;

        PendingReply(final ExpandableArrayBuffer buffer, final int length, final long messageId, final long enqueuedNs)
        {
            this.buffer = buffer;
            this.length = length;
            this.messageId = messageId;
            this.enqueuedNs = enqueuedNs;
        }
    }
}
