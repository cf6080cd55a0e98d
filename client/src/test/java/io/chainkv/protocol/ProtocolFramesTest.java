package io.chainkv.protocol;

import io.chainkv.protocol.codecs.ClientRequestDecoder;
import io.chainkv.protocol.codecs.ClientRequestEncoder;
import io.chainkv.protocol.codecs.MessageHeaderDecoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.ReadMode;
import io.chainkv.protocol.codecs.TransferEndDecoder;
import io.chainkv.protocol.codecs.TransferEndEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtocolFramesTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);

    private int encodeRequest()
    {
        final ClientRequestEncoder encoder = new ClientRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clusterId(1).chainId(0).replyStreamId(1004).epoch(1).clientId(2).requestSeq(3).expectedVersion(0)
            .op(OpType.PUT).putKey(new byte[8], 0, 8).putValue(new byte[16], 0, 16).replyChannel("aeron:udp?endpoint=a:1");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    @Test
    void everyTruncationOfAValidFrameIsRejected()
    {
        final int length = encodeRequest();
        for (int truncated = 0; truncated < length; truncated++)
        {
            assertEquals(ProtocolFrames.INVALID, ProtocolFrames.validate(buffer, 0, truncated), "length " + truncated);
        }
    }

    @Test
    void wrongSchemaIdIsRejected()
    {
        final int length = encodeRequest();
        buffer.putShort(4, (short)1234, ByteOrder.LITTLE_ENDIAN);
        assertEquals(ProtocolFrames.INVALID, ProtocolFrames.validate(buffer, 0, length));
    }

    @Test
    void unknownTemplateIdIsRejected()
    {
        final int length = encodeRequest();
        buffer.putShort(2, (short)999, ByteOrder.LITTLE_ENDIAN);
        assertEquals(ProtocolFrames.INVALID, ProtocolFrames.validate(buffer, 0, length));
    }

    @Test
    void absurdVariableLengthIsRejected()
    {
        final int length = encodeRequest();
        final int keyLengthOffset = MessageHeaderEncoder.ENCODED_LENGTH + ClientRequestEncoder.BLOCK_LENGTH;
        buffer.putInt(keyLengthOffset, Integer.MAX_VALUE, ByteOrder.LITTLE_ENDIAN);
        assertEquals(ProtocolFrames.INVALID, ProtocolFrames.validate(buffer, 0, length));
        buffer.putInt(keyLengthOffset, -1, ByteOrder.LITTLE_ENDIAN);
        assertEquals(ProtocolFrames.INVALID, ProtocolFrames.validate(buffer, 0, length));
    }

    @Test
    void blockLengthShorterThanTheSchemaIsRejected()
    {
        final int length = encodeRequest();
        buffer.putShort(0, (short)4, ByteOrder.LITTLE_ENDIAN);
        assertEquals(ProtocolFrames.INVALID, ProtocolFrames.validate(buffer, 0, length));
    }

    @Test
    void aVersion2TransferEndWithTheBlockOfVersion1IsRejected()
    {
        new TransferEndEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clusterId(1).chainId(0).epoch(1).transferId(2).endSeq(3).entries(4).clientSlots(5).tombstoneHorizon(6);
        final int v1Block = TransferEndDecoder.tombstoneHorizonEncodingOffset();
        buffer.putShort(0, (short)v1Block, ByteOrder.LITTLE_ENDIAN);

        // A decoder acting on version 2 would read the horizon past the end of this frame.
        assertEquals(ProtocolFrames.INVALID, ProtocolFrames.validate(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH +
            v1Block));
        buffer.putShort(6, (short)1, ByteOrder.LITTLE_ENDIAN);
        assertEquals(TransferEndDecoder.TEMPLATE_ID, ProtocolFrames.validate(buffer, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + v1Block), "the same frame is whole as version 1");
    }

    @Test
    void aVersion1ClientRequestIsAcceptedAndReadsAsMayOpenItsSession()
    {
        final int length = encodeClientRequestWithTheBlockOfVersion1();
        buffer.putShort(6, (short)1, ByteOrder.LITTLE_ENDIAN);

        assertEquals(ClientRequestDecoder.TEMPLATE_ID, ProtocolFrames.validate(buffer, 0, length));
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        final ClientRequestDecoder decoder = new ClientRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
        assertEquals(ClientRequestDecoder.opensSessionNullValue(), decoder.opensSession(), "no field: the null value");
        assertEquals(1, decoder.keyLength());
    }

    @Test
    void aVersion2ClientRequestWithTheBlockOfVersion1IsRejected()
    {
        final int length = encodeClientRequestWithTheBlockOfVersion1();

        // A decoder acting on version 2 would read opensSession from the first byte of the key's length.
        assertEquals(ProtocolFrames.INVALID, ProtocolFrames.validate(buffer, 0, length));
    }

    /**
     * A whole request whose fixed block stops before opensSession, as a version 1 sender's does, its header still
     * saying version 2.
     *
     * @return the frame's length.
     */
    private static final byte[] REPLY_CHANNEL = "aeron:udp?endpoint=h:1".getBytes(StandardCharsets.US_ASCII);

    private int encodeClientRequestWithTheBlockOfVersion1()
    {
        final ClientRequestEncoder encoder = new ClientRequestEncoder().wrapAndApplyHeader(buffer, 0,
            new MessageHeaderEncoder())
            .clusterId(1).chainId(0).replyStreamId(1004).epoch(1).clientId(7).requestSeq(1).expectedVersion(0)
            .op(OpType.PUT).readMode(ReadMode.LINEARIZABLE).opensSession((short)0)
            .putKey(new byte[]{ 'k' }, 0, 1).putValue(new byte[]{ 'v' }, 0, 1).putReplyChannel(REPLY_CHANNEL, 0, REPLY_CHANNEL.length);
        final int v2Length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        final int v1Block = ClientRequestDecoder.opensSessionEncodingOffset();
        final int varStart = MessageHeaderEncoder.ENCODED_LENGTH + ClientRequestEncoder.BLOCK_LENGTH;
        buffer.putBytes(varStart - (ClientRequestEncoder.BLOCK_LENGTH - v1Block), buffer, varStart, v2Length - varStart);
        buffer.putShort(0, (short)v1Block, ByteOrder.LITTLE_ENDIAN);
        return v2Length - (ClientRequestEncoder.BLOCK_LENGTH - v1Block);
    }

    @Test
    void randomBytesNeverThrow()
    {
        final Random random = new Random(42);
        final byte[] bytes = new byte[512];
        final UnsafeBuffer noise = new UnsafeBuffer(bytes);
        int accepted = 0;
        for (int i = 0; i < 100_000; i++)
        {
            random.nextBytes(bytes);
            if (ProtocolFrames.INVALID != ProtocolFrames.validate(noise, 0, random.nextInt(bytes.length + 1)))
            {
                accepted++;
            }
        }
        assertTrue(accepted < 10, "random noise should almost never pass: " + accepted);
    }
}
