package io.chainkv.transport;

import io.aeron.Publication;
import io.chainkv.protocol.codecs.ChunkEncoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Offers encoded messages to a publication, splitting any message longer than the publication's
 * maximum message length into {@code Chunk} messages that a {@link MessageAssembler} puts back together.
 * <p>
 * Small messages, the common case, take one {@code offer} and no copy. An instance is used by one thread
 * at a time.
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
    private final IdleStrategy idleStrategy;

    /**
     * @param maxMessageLength the largest transport message of the publications this sender serves.
     * @param idleStrategy     used while waiting out back pressure in the middle of a chunked message.
     */
    public MessageSender(final int maxMessageLength, final IdleStrategy idleStrategy)
    {
        this.chunkBuffer = new UnsafeBuffer(new byte[maxMessageLength]);
        this.idleStrategy = idleStrategy;
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
        if (length <= maxMessageLength)
        {
            return publication.offer(buffer, offset, length);
        }

        final int maxPiece = Math.min(maxMessageLength, chunkBuffer.capacity()) - CHUNK_OVERHEAD;
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
            final int chunkLength = MessageHeaderEncoder.ENCODED_LENGTH + chunkEncoder.encodedLength();

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
