package io.chainkv.transport;

import io.aeron.Publication;
import io.chainkv.protocol.codecs.ChunkEncoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.security.FrameSigner;
import io.chainkv.security.FrameTrailer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Offers encoded messages to a publication, splitting any message longer than the publication's
 * maximum message length into {@code Chunk} messages that a {@link MessageAssembler} puts back together.
 * <p>
 * Small messages, the common case, take one {@code offer} and no copy. With a {@link FrameSigner}, every transport
 * message (each chunk of a chunked one) goes out with an authentication trailer (docs/protocol.md, "Authentication"):
 * Aeron's two-buffer offer appends it without copying the message. Every frame a ChainKV process sends goes through
 * a sender, so no frame leaves unsigned. An instance is used by one thread at a time.
 */
public final class MessageSender
{
    /** Bytes a chunk adds before its payload: message header, fixed block, length of the bytes field. */
    public static final int CHUNK_OVERHEAD = MessageHeaderEncoder.ENCODED_LENGTH + ChunkEncoder.BLOCK_LENGTH +
        ChunkEncoder.bytesHeaderLength();

    private static final long CHUNK_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ChunkEncoder chunkEncoder = new ChunkEncoder();
    private final UnsafeBuffer chunkBuffer;
    private final UnsafeBuffer trailerBuffer = new UnsafeBuffer(new byte[FrameTrailer.LENGTH]);
    private final IdleStrategy idleStrategy;
    private final int trailerLength;
    private FrameSigner signer;

    /**
     * @param maxMessageLength the largest transport message of the publications this sender serves.
     * @param idleStrategy     used while waiting out back pressure in the middle of a chunked message.
     * @param signer           signs every transport message; null when authentication is off.
     */
    public MessageSender(final int maxMessageLength, final IdleStrategy idleStrategy, final FrameSigner signer)
    {
        this.chunkBuffer = new UnsafeBuffer(new byte[maxMessageLength]);
        this.idleStrategy = idleStrategy;
        this.signer = signer;
        this.trailerLength = null == signer ? 0 : FrameTrailer.LENGTH;
    }

    /**
     * Signs the frames sent from now on with another key of the same kind: a node answers each client under the key
     * its client id is bound to (docs/security.md, "Per-client keys").
     *
     * @param signer the signer; ignored when this sender was made without one (authentication is off).
     */
    public void signWith(final FrameSigner signer)
    {
        if (null != this.signer && null != signer)
        {
            this.signer = signer;
        }
    }

    /**
     * @return the signer of this sender's frames, null when authentication is off.
     */
    public FrameSigner signer()
    {
        return signer;
    }

    /**
     * Offers a message that fits one transport message (a control message: ack, resend request, sync point), once.
     *
     * @param publication to offer to.
     * @param buffer      holding the encoded message.
     * @param offset      of the message.
     * @param length      of the message.
     * @return a positive position when sent, else one of {@link Publication}'s negative codes.
     */
    public long offer(final Publication publication, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == signer)
        {
            return publication.offer(buffer, offset, length);
        }
        signer.sign(publication.streamId(), buffer, offset, length, trailerBuffer, 0);
        return publication.offer(buffer, offset, length, trailerBuffer, 0, FrameTrailer.LENGTH);
    }

    /**
     * @return the largest transport message of the publications this sender was made for.
     */
    public int maxMessageLength()
    {
        return chunkBuffer.capacity();
    }

    /**
     * Offers a message.
     *
     * @param publication to offer to.
     * @param buffer      holding the encoded message.
     * @param offset      of the message.
     * @param length      of the message.
     * @param messageId   unique among this sender's messages in flight on the publication (a sequence number).
     * @return a positive position when sent, else one of {@link Publication}'s negative codes. A chunked
     * message either goes whole or returns a negative code after giving up; the receiver discards a part.
     */
    public long send(
        final Publication publication, final DirectBuffer buffer, final int offset, final int length, final long messageId)
    {
        final int maxMessageLength = publication.maxMessageLength();
        if (length + trailerLength <= maxMessageLength)
        {
            return offer(publication, buffer, offset, length);
        }

        final int maxPiece = Math.min(maxMessageLength, chunkBuffer.capacity()) - CHUNK_OVERHEAD - trailerLength;
        long result = Publication.NOT_CONNECTED;
        final long deadlineNs = System.nanoTime() + CHUNK_TIMEOUT_NS;
        for (int sent = 0; sent < length; )
        {
            final int piece = Math.min(maxPiece, length - sent);
            chunkEncoder.wrapAndApplyHeader(chunkBuffer, 0, headerEncoder)
                .messageId(messageId)
                .totalLength(length)
                .chunkOffset(sent)
                .putBytes(buffer, offset + sent, piece);
            int chunkLength = MessageHeaderEncoder.ENCODED_LENGTH + chunkEncoder.encodedLength();
            if (null != signer)
            {
                signer.sign(publication.streamId(), chunkBuffer, 0, chunkLength, chunkBuffer, chunkLength);
                chunkLength += FrameTrailer.LENGTH;
            }

            idleStrategy.reset();
            while ((result = publication.offer(chunkBuffer, 0, chunkLength)) < 0)
            {
                if (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result ||
                    System.nanoTime() > deadlineNs)
                {
                    return result;
                }
                idleStrategy.idle();
            }
            sent += piece;
        }

        return result;
    }
}
