package io.chainkv.protocol;

import io.chainkv.protocol.codecs.AckDecoder;
import io.chainkv.protocol.codecs.ChunkDecoder;
import io.chainkv.protocol.codecs.ClientRequestDecoder;
import io.chainkv.protocol.codecs.ClientResponseDecoder;
import io.chainkv.protocol.codecs.JoinRequestDecoder;
import io.chainkv.protocol.codecs.MessageHeaderDecoder;
import io.chainkv.protocol.codecs.ResendRequestDecoder;
import io.chainkv.protocol.codecs.SyncPointDecoder;
import io.chainkv.protocol.codecs.TransferAbortDecoder;
import io.chainkv.protocol.codecs.TransferBatchDecoder;
import io.chainkv.protocol.codecs.TransferBeginDecoder;
import io.chainkv.protocol.codecs.TransferClientsDecoder;
import io.chainkv.protocol.codecs.TransferEndDecoder;
import io.chainkv.protocol.codecs.UpdateDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks that a received frame is a whole, well-formed ChainKV message before any decoder reads it.
 * <p>
 * A frame of an older schema version is accepted with the fixed block that version had (decoders answer the null
 * value for fields added since); one that claims a version must hold every field that version has, since a decoder
 * acting on that version reads them.
 * <p>
 * SBE decoders trust lengths inside the frame; a truncated or hostile frame could make them read past
 * its end or allocate absurd amounts. This check walks the header, the fixed block and every variable
 * length field against the frame's real length, without allocating.
 */
public final class ProtocolFrames
{
    /** Returned by {@link #validate} for a frame that is not a valid message. */
    public static final int INVALID = -1;

    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int U32 = 4;
    private static final int U16 = 2;

    private static final int[] REQUEST_VAR_FIELDS = { U32, U32, U16 };
    private static final int[] RESPONSE_VAR_FIELDS = { U32, U16 };
    private static final int[] UPDATE_VAR_FIELDS = { U32, U32, U16 };
    private static final int[] CHUNK_VAR_FIELDS = { U32 };
    private static final int[] JOIN_REQUEST_VAR_FIELDS = { U32 };
    private static final int[] TRANSFER_ENTRY_VAR_FIELDS = { U32, U32 };
    private static final int GROUP_HEADER_LENGTH = 4;
    private static final int[] NO_VAR_FIELDS = {};

    private ProtocolFrames()
    {
    }

    /**
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @param length the frame's length.
     * @return the template id if the frame is a well-formed message of this schema, else {@link #INVALID}.
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH || offset < 0 || offset + length > buffer.capacity())
        {
            return INVALID;
        }

        final int blockLength = buffer.getShort(offset + MessageHeaderDecoder.blockLengthEncodingOffset(),
            ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int templateId = buffer.getShort(offset + MessageHeaderDecoder.templateIdEncodingOffset(),
            ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int schemaId = buffer.getShort(offset + MessageHeaderDecoder.schemaIdEncodingOffset(),
            ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int version = buffer.getShort(offset + MessageHeaderDecoder.versionEncodingOffset(),
            ByteOrder.LITTLE_ENDIAN) & 0xFFFF;

        if (schemaId != MessageHeaderDecoder.SCHEMA_ID || version < 1 || version > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            return INVALID;
        }

        final int minBlockLength;
        final int[] varFields;
        switch (templateId)
        {
            case ClientRequestDecoder.TEMPLATE_ID:
                // Version 2 added opensSession at the end of the block; a version 1 sender's block stops before it.
                minBlockLength = version >= ClientRequestDecoder.opensSessionSinceVersion() ?
                    ClientRequestDecoder.BLOCK_LENGTH : ClientRequestDecoder.opensSessionEncodingOffset();
                varFields = REQUEST_VAR_FIELDS;
                break;
            case ClientResponseDecoder.TEMPLATE_ID:
                minBlockLength = ClientResponseDecoder.BLOCK_LENGTH;
                varFields = RESPONSE_VAR_FIELDS;
                break;
            case UpdateDecoder.TEMPLATE_ID:
                minBlockLength = UpdateDecoder.BLOCK_LENGTH;
                varFields = UPDATE_VAR_FIELDS;
                break;
            case AckDecoder.TEMPLATE_ID:
                minBlockLength = AckDecoder.BLOCK_LENGTH;
                varFields = NO_VAR_FIELDS;
                break;
            case ResendRequestDecoder.TEMPLATE_ID:
                minBlockLength = ResendRequestDecoder.BLOCK_LENGTH;
                varFields = NO_VAR_FIELDS;
                break;
            case ChunkDecoder.TEMPLATE_ID:
                minBlockLength = ChunkDecoder.BLOCK_LENGTH;
                varFields = CHUNK_VAR_FIELDS;
                break;
            case JoinRequestDecoder.TEMPLATE_ID:
                minBlockLength = JoinRequestDecoder.BLOCK_LENGTH;
                varFields = JOIN_REQUEST_VAR_FIELDS;
                break;
            case TransferBeginDecoder.TEMPLATE_ID:
                minBlockLength = TransferBeginDecoder.BLOCK_LENGTH;
                varFields = NO_VAR_FIELDS;
                break;
            case TransferEndDecoder.TEMPLATE_ID:
                // Version 2 added tombstoneHorizon at the end of the block; a version 1 sender's block stops before it.
                minBlockLength = version >= TransferEndDecoder.tombstoneHorizonSinceVersion() ?
                    TransferEndDecoder.BLOCK_LENGTH : TransferEndDecoder.tombstoneHorizonEncodingOffset();
                varFields = NO_VAR_FIELDS;
                break;
            case SyncPointDecoder.TEMPLATE_ID:
                minBlockLength = SyncPointDecoder.BLOCK_LENGTH;
                varFields = NO_VAR_FIELDS;
                break;
            case TransferAbortDecoder.TEMPLATE_ID:
                minBlockLength = TransferAbortDecoder.BLOCK_LENGTH;
                varFields = NO_VAR_FIELDS;
                break;
            case TransferBatchDecoder.TEMPLATE_ID:
                return validGroup(buffer, offset, length, blockLength, TransferBatchDecoder.BLOCK_LENGTH,
                    TransferBatchDecoder.EntriesDecoder.sbeBlockLength(), TRANSFER_ENTRY_VAR_FIELDS) ? templateId : INVALID;
            case TransferClientsDecoder.TEMPLATE_ID:
                return validGroup(buffer, offset, length, blockLength, TransferClientsDecoder.BLOCK_LENGTH,
                    TransferClientsDecoder.SlotsDecoder.sbeBlockLength(), NO_VAR_FIELDS) ? templateId : INVALID;
            default:
                return INVALID;
        }

        if (blockLength < minBlockLength)
        {
            return INVALID;
        }

        final int limit = offset + length;
        final long position = (long)offset + HEADER_LENGTH + blockLength;
        return position <= limit && skipVarFields(buffer, position, limit, varFields) >= 0 ? templateId : INVALID;
    }

    /**
     * A message of a fixed block then one repeating group whose entries are a fixed block then var fields.
     */
    private static boolean validGroup(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int blockLength,
        final int minBlockLength,
        final int minEntryBlockLength,
        final int[] entryVarFields)
    {
        if (blockLength < minBlockLength)
        {
            return false;
        }
        final int limit = offset + length;
        long position = (long)offset + HEADER_LENGTH + blockLength;
        if (position + GROUP_HEADER_LENGTH > limit)
        {
            return false;
        }
        final int entryBlockLength = buffer.getShort((int)position, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int count = buffer.getShort((int)position + U16, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (entryBlockLength < minEntryBlockLength)
        {
            return false;
        }
        position += GROUP_HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            position += entryBlockLength;
            if (position > limit)
            {
                return false;
            }
            position = skipVarFields(buffer, position, limit, entryVarFields);
            if (position < 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the position after the var fields, or -1 if they run past the limit.
     */
    private static long skipVarFields(final DirectBuffer buffer, final long start, final int limit, final int[] varFields)
    {
        long position = start;
        for (final int headerLength : varFields)
        {
            if (position + headerLength > limit)
            {
                return -1;
            }
            final long fieldLength = U32 == headerLength ?
                buffer.getInt((int)position, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL :
                buffer.getShort((int)position, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            position += headerLength + fieldLength;
            if (position > limit)
            {
                return -1;
            }
        }
        return position;
    }
}
