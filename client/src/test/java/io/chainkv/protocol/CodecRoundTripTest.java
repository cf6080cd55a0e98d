package io.chainkv.protocol;

import io.chainkv.protocol.codecs.AckDecoder;
import io.chainkv.protocol.codecs.AckEncoder;
import io.chainkv.protocol.codecs.ChunkDecoder;
import io.chainkv.protocol.codecs.ChunkEncoder;
import io.chainkv.protocol.codecs.ClientRequestDecoder;
import io.chainkv.protocol.codecs.ClientRequestEncoder;
import io.chainkv.protocol.codecs.ClientResponseDecoder;
import io.chainkv.protocol.codecs.ClientResponseEncoder;
import io.chainkv.protocol.codecs.MessageHeaderDecoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.ResendRequestDecoder;
import io.chainkv.protocol.codecs.ResendRequestEncoder;
import io.chainkv.protocol.codecs.Status;
import io.chainkv.protocol.codecs.TransferEndDecoder;
import io.chainkv.protocol.codecs.TransferEndEncoder;
import io.chainkv.protocol.codecs.UpdateDecoder;
import io.chainkv.protocol.codecs.UpdateEncoder;
import io.chainkv.protocol.codecs.UpdateKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CodecRoundTripTest
{
    private static final byte[] KEY = "user:42".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUE = "hello".getBytes(StandardCharsets.US_ASCII);

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    @Test
    void clientRequestRoundTripsEveryField()
    {
        final ClientRequestEncoder encoder = new ClientRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(11).chainId(3).replyStreamId(1004).epoch(7).clientId(99).requestSeq(1234).expectedVersion(55)
            .op(OpType.CAS).putKey(KEY, 0, KEY.length).putValue(VALUE, 0, VALUE.length)
            .replyChannel("aeron:udp?endpoint=127.0.0.1:5555");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();

        assertEquals(ClientRequestDecoder.TEMPLATE_ID, ProtocolFrames.validate(buffer, 0, length));
        final ClientRequestDecoder decoder = new ClientRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(11, decoder.clusterId());
        assertEquals(3, decoder.chainId());
        assertEquals(1004, decoder.replyStreamId());
        assertEquals(7, decoder.epoch());
        assertEquals(99, decoder.clientId());
        assertEquals(1234, decoder.requestSeq());
        assertEquals(55, decoder.expectedVersion());
        assertEquals(OpType.CAS, decoder.op());
        assertArrayEquals(KEY, bytes(decoder.keyLength(), (dst) -> decoder.getKey(dst, 0, dst.length)));
        assertArrayEquals(VALUE, bytes(decoder.valueLength(), (dst) -> decoder.getValue(dst, 0, dst.length)));
        assertEquals("aeron:udp?endpoint=127.0.0.1:5555", decoder.replyChannel());
    }

    @Test
    void clientResponseRoundTripsEveryField()
    {
        final ClientResponseEncoder encoder = new ClientResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(11).chainId(3).epoch(7).clientId(99).requestSeq(1234).version(77).op(OpType.GET)
            .status(Status.VERSION_MISMATCH).putValue(VALUE, 0, VALUE.length).detail("why");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();

        assertEquals(ClientResponseDecoder.TEMPLATE_ID, ProtocolFrames.validate(buffer, 0, length));
        final ClientResponseDecoder decoder = new ClientResponseDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(11, decoder.clusterId());
        assertEquals(3, decoder.chainId());
        assertEquals(7, decoder.epoch());
        assertEquals(99, decoder.clientId());
        assertEquals(1234, decoder.requestSeq());
        assertEquals(77, decoder.version());
        assertEquals(OpType.GET, decoder.op());
        assertEquals(Status.VERSION_MISMATCH, decoder.status());
        assertArrayEquals(VALUE, bytes(decoder.valueLength(), (dst) -> decoder.getValue(dst, 0, dst.length)));
        assertEquals("why", decoder.detail());
    }

    @Test
    void updateRoundTripsEveryField()
    {
        final UpdateEncoder encoder = new UpdateEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(11).chainId(3).replyStreamId(1004).epoch(7).seq(500).prevSeq(499).clientId(99)
            .requestSeq(1234).resultVersion(500).kind(UpdateKind.PUT).op(OpType.PUT).status(Status.OK)
            .putKey(KEY, 0, KEY.length).putValue(VALUE, 0, VALUE.length).replyChannel("aeron:udp?endpoint=h:1");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();

        assertEquals(UpdateDecoder.TEMPLATE_ID, ProtocolFrames.validate(buffer, 0, length));
        final UpdateDecoder decoder = new UpdateDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(11, decoder.clusterId());
        assertEquals(3, decoder.chainId());
        assertEquals(1004, decoder.replyStreamId());
        assertEquals(7, decoder.epoch());
        assertEquals(500, decoder.seq());
        assertEquals(499, decoder.prevSeq());
        assertEquals(99, decoder.clientId());
        assertEquals(1234, decoder.requestSeq());
        assertEquals(500, decoder.resultVersion());
        assertEquals(UpdateKind.PUT, decoder.kind());
        assertEquals(OpType.PUT, decoder.op());
        assertEquals(Status.OK, decoder.status());
        assertArrayEquals(KEY, bytes(decoder.keyLength(), (dst) -> decoder.getKey(dst, 0, dst.length)));
        assertArrayEquals(VALUE, bytes(decoder.valueLength(), (dst) -> decoder.getValue(dst, 0, dst.length)));
        assertEquals("aeron:udp?endpoint=h:1", decoder.replyChannel());
    }

    @Test
    void ackResendAndChunkRoundTrip()
    {
        final AckEncoder ack = new AckEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(1).chainId(2).epoch(3).committedSeq(44);
        assertEquals(AckDecoder.TEMPLATE_ID,
            ProtocolFrames.validate(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + ack.encodedLength()));
        final AckDecoder ackDecoder = new AckDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(44, ackDecoder.committedSeq());
        assertEquals(3, ackDecoder.epoch());

        final ResendRequestEncoder resend = new ResendRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(1).chainId(2).epoch(3).lastAppliedSeq(41);
        assertEquals(ResendRequestDecoder.TEMPLATE_ID,
            ProtocolFrames.validate(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + resend.encodedLength()));
        assertEquals(41, new ResendRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder).lastAppliedSeq());

        final ChunkEncoder chunk = new ChunkEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .messageId(9).totalLength(100).chunkOffset(20).putBytes(VALUE, 0, VALUE.length);
        assertEquals(ChunkDecoder.TEMPLATE_ID,
            ProtocolFrames.validate(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + chunk.encodedLength()));
        final ChunkDecoder chunkDecoder = new ChunkDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(9, chunkDecoder.messageId());
        assertEquals(100, chunkDecoder.totalLength());
        assertEquals(20, chunkDecoder.chunkOffset());
        assertEquals(VALUE.length, chunkDecoder.bytesLength());
    }

    @Test
    void transferEndCarriesTheTailsTombstoneHorizon()
    {
        final TransferEndEncoder end = new TransferEndEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(1).chainId(2).epoch(3).transferId(4).endSeq(500).entries(6).clientSlots(7).tombstoneHorizon(321);
        assertEquals(TransferEndDecoder.TEMPLATE_ID,
            ProtocolFrames.validate(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + end.encodedLength()));
        final TransferEndDecoder decoder = new TransferEndDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(500, decoder.endSeq());
        assertEquals(6, decoder.entries());
        assertEquals(7, decoder.clientSlots());
        assertEquals(321, decoder.tombstoneHorizon());
    }

    @Test
    void transferEndOfAVersion1SenderDecodesWithoutAHorizon()
    {
        new TransferEndEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(1).chainId(2).epoch(3).transferId(4).endSeq(500).entries(6).clientSlots(7).tombstoneHorizon(321);
        // What a version 1 tail sends: its header says version 1, its block stops before the horizon.
        headerEncoder.wrap(buffer, 0).version(1).blockLength(TransferEndDecoder.tombstoneHorizonEncodingOffset());
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + TransferEndDecoder.tombstoneHorizonEncodingOffset();

        assertEquals(TransferEndDecoder.TEMPLATE_ID, ProtocolFrames.validate(buffer, 0, length));
        final TransferEndDecoder decoder = new TransferEndDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(500, decoder.endSeq());
        assertEquals(TransferEndDecoder.tombstoneHorizonNullValue(), decoder.tombstoneHorizon());
    }

    private static byte[] bytes(final int length, final java.util.function.Consumer<byte[]> reader)
    {
        final byte[] bytes = new byte[length];
        reader.accept(bytes);
        return bytes;
    }
}
