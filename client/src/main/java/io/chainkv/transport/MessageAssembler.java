package io.chainkv.transport;

import io.aeron.FragmentAssembler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.chainkv.protocol.ProtocolFrames;
import io.chainkv.protocol.codecs.ChunkDecoder;
import io.chainkv.protocol.codecs.MessageHeaderDecoder;
import io.chainkv.security.FrameTrailer;
import io.chainkv.security.FrameVerifier;
import io.chainkv.security.KeyRole;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Turns the fragments of a subscription into whole, validated ChainKV messages.
 * <p>
 * Aeron's {@link FragmentAssembler} joins the MTU-sized fragments of one transport message; this class
 * then joins {@code Chunk} messages (see {@link MessageSender}) into the message they carry, and hands
 * every complete message that passes {@link ProtocolFrames#validate} to the delegate. Anything else is
 * dropped and counted in {@link #malformedCount()}; nothing a peer sends can make it throw.
 * <p>
 * With a {@link FrameVerifier}, each transport message must first carry a valid authentication trailer under a key
 * of a role the stream accepts (docs/protocol.md, "Authentication"): the trailer is checked before anything of the
 * frame is read, and a frame that fails is dropped and counted in {@link #unauthenticatedCount()}. The delegate sees
 * messages without their trailers and can ask {@link #lastRole()} which role sent the one it is handed.
 * <p>
 * Used by one thread. Allocates only to hold a chunked message in progress, within a budget of bytes for all of them
 * ({@link #DEFAULT_MAX_PARTIAL_BYTES} unless told otherwise), so that first chunks claiming large messages cannot pin
 * the heap.
 */
public final class MessageAssembler implements FragmentHandler
{
    /** How many chunked messages one sender may have in progress at once before the oldest is dropped. */
    private static final int MAX_PARTIAL_PER_SESSION = 64;

    /** Default budget of bytes held by chunked messages in progress, per assembler (per subscription). */
    public static final long DEFAULT_MAX_PARTIAL_BYTES = 64L * 1024 * 1024;

    private final FragmentAssembler fragmentAssembler = new FragmentAssembler(this::onTransportMessage);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ChunkDecoder chunkDecoder = new ChunkDecoder();
    private final Int2ObjectHashMap<Long2ObjectHashMap<Partial>> partialsBySession = new Int2ObjectHashMap<>();
    private final FragmentHandler delegate;
    private final int maxMessageLength;
    private FrameVerifier verifier;
    private final int streamId;
    private final long maxPartialBytes;
    private long partialBytes;
    private long partialsRefused;
    private long malformedCount;
    private long unauthenticatedCount;
    private KeyRole lastRole;
    private int lastKeyId;

    /**
     * @param delegate         receives each complete, validated message.
     * @param maxMessageLength the largest message (after joining chunks) that is accepted.
     * @param verifier         checks each transport message's trailer; null when authentication is off.
     * @param streamId         the stream the subscription receives (part of what a trailer authenticates).
     */
    public MessageAssembler(
        final FragmentHandler delegate, final int maxMessageLength, final FrameVerifier verifier, final int streamId)
    {
        this(delegate, maxMessageLength, verifier, streamId, DEFAULT_MAX_PARTIAL_BYTES);
    }

    /**
     * @param delegate         receives each complete, validated message.
     * @param maxMessageLength the largest message (after joining chunks) that is accepted.
     * @param verifier         checks each transport message's trailer; null when authentication is off.
     * @param streamId         the stream the subscription receives (part of what a trailer authenticates).
     * @param maxPartialBytes  the most bytes chunked messages in progress may hold at once, from all senders; a chunked
     *                         message that would go over it is refused (counted in {@link #partialsRefused()}).
     */
    public MessageAssembler(
        final FragmentHandler delegate,
        final int maxMessageLength,
        final FrameVerifier verifier,
        final int streamId,
        final long maxPartialBytes)
    {
        this.delegate = delegate;
        this.maxMessageLength = maxMessageLength;
        this.verifier = verifier;
        this.streamId = streamId;
        this.maxPartialBytes = Math.max(maxPartialBytes, maxMessageLength);
    }

    /**
     * @return frames dropped because their authentication trailer was missing, under an unknown key or a key of a role
     * this stream does not accept, or did not match the frame.
     */
    public long unauthenticatedCount()
    {
        return unauthenticatedCount;
    }

    /**
     * Checks trailers with other keys from now on: the key file changed (docs/security.md, "Issuing and revoking client
     * keys").
     *
     * @param verifier the new verifier; ignored when this assembler was made without one (authentication is off).
     */
    public void useVerifier(final FrameVerifier verifier)
    {
        if (null != this.verifier && null != verifier)
        {
            this.verifier = verifier;
        }
    }

    /**
     * @return the role of the key that signed the message being handed to the delegate; null when authentication is
     * off.
     */
    public KeyRole lastRole()
    {
        return lastRole;
    }

    /**
     * @return the id of the key that signed the message being handed to the delegate (every chunk of a chunked one);
     * 0 when authentication is off.
     */
    public int lastKeyId()
    {
        return lastKeyId;
    }

    /**
     * {@inheritDoc}
     */
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        fragmentAssembler.onFragment(buffer, offset, length, header);
    }

    /**
     * @return frames dropped because they were not valid messages, or chunks that did not fit together.
     */
    public long malformedCount()
    {
        return malformedCount;
    }

    /**
     * Forgets the messages in progress from a sender whose image has gone.
     *
     * @param sessionId of the image.
     */
    public void releaseSession(final int sessionId)
    {
        final Long2ObjectHashMap<Partial> partials = partialsBySession.remove(sessionId);
        if (null != partials)
        {
            forgetAll(partials);
        }
        fragmentAssembler.freeSessionBuffer(sessionId);
    }

    /**
     * @return bytes held by chunked messages in progress, from every sender.
     */
    public long partialBytes()
    {
        return partialBytes;
    }

    /**
     * @return chunked messages refused because starting them would have taken the bytes held by messages in progress
     * over the budget.
     */
    public long partialsRefused()
    {
        return partialsRefused;
    }

    private void onTransportMessage(
        final DirectBuffer buffer, final int offset, final int transportLength, final Header header)
    {
        int length = transportLength;
        if (null != verifier)
        {
            if (!verifier.verify(streamId, buffer, offset, transportLength))
            {
                unauthenticatedCount++;
                return;
            }
            lastRole = verifier.lastRole();
            lastKeyId = verifier.lastKeyId();
            length -= FrameTrailer.LENGTH;
        }

        final int templateId = ProtocolFrames.validate(buffer, offset, length);
        if (ProtocolFrames.INVALID == templateId)
        {
            malformedCount++;
        }
        else if (ChunkDecoder.TEMPLATE_ID == templateId)
        {
            onChunk(buffer, offset, header);
        }
        else
        {
            delegate.onFragment(buffer, offset, length, header);
        }
    }

    private void onChunk(final DirectBuffer buffer, final int offset, final Header header)
    {
        chunkDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long messageId = chunkDecoder.messageId();
        final int totalLength = chunkDecoder.totalLength();
        final int chunkOffset = chunkDecoder.chunkOffset();
        final int pieceLength = chunkDecoder.bytesLength();
        final int sessionId = header.sessionId();

        Long2ObjectHashMap<Partial> partials = partialsBySession.get(sessionId);
        if (totalLength <= 0 || totalLength > maxMessageLength || chunkOffset < 0 ||
            (long)chunkOffset + pieceLength > totalLength)
        {
            malformedCount++;
            if (null != partials)
            {
                forget(partials, messageId);
            }
            return;
        }

        if (null == partials)
        {
            partials = new Long2ObjectHashMap<>();
            partialsBySession.put(sessionId, partials);
        }

        Partial partial = partials.get(messageId);
        if (0 == chunkOffset)
        {
            if (null == partial && partials.size() >= MAX_PARTIAL_PER_SESSION)
            {
                malformedCount++;
                forgetAll(partials);
            }
            forget(partials, messageId);
            // A first chunk allocates the whole message: the budget bounds what a few frames can pin.
            if (partialBytes + totalLength > maxPartialBytes)
            {
                partialsRefused++;
                return;
            }
            partial = new Partial(totalLength, lastKeyId);
            partials.put(messageId, partial);
            partialBytes += totalLength;
        }
        else if (null == partial || partial.received != chunkOffset || partial.buffer.capacity() != totalLength ||
            partial.keyId != lastKeyId)
        {
            malformedCount++;
            forget(partials, messageId);
            return;
        }

        chunkDecoder.getBytes(partial.buffer, chunkOffset, pieceLength);
        partial.received += pieceLength;
        if (partial.received == totalLength)
        {
            forget(partials, messageId);
            final int templateId = ProtocolFrames.validate(partial.buffer, 0, totalLength);
            if (ProtocolFrames.INVALID == templateId || ChunkDecoder.TEMPLATE_ID == templateId)
            {
                malformedCount++;
            }
            else
            {
                delegate.onFragment(partial.buffer, 0, totalLength, header);
            }
        }
    }

    private void forget(final Long2ObjectHashMap<Partial> partials, final long messageId)
    {
        final Partial partial = partials.remove(messageId);
        if (null != partial)
        {
            partialBytes -= partial.buffer.capacity();
        }
    }

    private void forgetAll(final Long2ObjectHashMap<Partial> partials)
    {
        for (final Partial partial : partials.values())
        {
            partialBytes -= partial.buffer.capacity();
        }
        partials.clear();
    }

    private static final class Partial
    {
        final UnsafeBuffer buffer;
        // Every chunk of a message must come under the same key, so a client cannot finish a member's message, nor
        // one client another's.
        final int keyId;
        int received;

        Partial(final int totalLength, final int keyId)
        {
            buffer = new UnsafeBuffer(new byte[totalLength]);
            this.keyId = keyId;
        }
    }
}
