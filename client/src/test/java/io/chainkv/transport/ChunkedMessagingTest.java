package io.chainkv.transport;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.chainkv.security.FrameTrailer;
import io.chainkv.security.KeyRole;
import io.chainkv.protocol.codecs.ChunkEncoder;
import io.chainkv.protocol.codecs.ClientRequestEncoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.OpType;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkedMessagingTest
{
    private static final int STREAM_ID = 77;

    private final TransportSettings settings = TransportSettings.fromSystemProperties();
    private final List<byte[]> received = new ArrayList<>();
    private EmbeddedAeron transport;
    private ExclusivePublication publication;
    private Subscription subscription;
    private MessageAssembler assembler;

    @BeforeEach
    void start() throws Exception
    {
        transport = EmbeddedAeron.launch(EmbeddedAeron.uniqueDirectory("test"), settings);
        final int port;
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            port = socket.getLocalPort();
        }
        final String channel = Channels.udp("127.0.0.1:" + port, settings);
        subscription = transport.aeron().addSubscription(channel, STREAM_ID);
        publication = transport.aeron().addExclusivePublication(channel, STREAM_ID);
        final FragmentHandler sink = (buffer, offset, length, header) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            received.add(bytes);
        };
        assembler = new MessageAssembler(sink, 4 * 1024 * 1024, settings.newVerifier(KeyRole.MEMBER), STREAM_ID);
        awaitTrue(publication::isConnected);
    }

    @AfterEach
    void stop()
    {
        CloseHelper.closeAll(publication, subscription, transport);
        assertFalse(transport.directory().exists(), "driver directory must be deleted");
    }

    @Test
    void messageLargerThanOneTransportMessageArrivesWhole()
    {
        final byte[] value = new byte[3 * settings.maxMessageLength() + 17];
        new Random(1).nextBytes(value);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[value.length + 1024]);
        final int length = encodeRequest(buffer, value);

        final MessageSender sender = new MessageSender(settings.maxMessageLength(), new SleepingMillisIdleStrategy(1),
            settings.newSigner(KeyRole.MEMBER));
        assertTrue(sender.send(publication, buffer, 0, length, 1) > 0);

        awaitTrue(() -> pollOnce() && !received.isEmpty());
        assertEquals(1, received.size());
        final byte[] expected = new byte[length];
        buffer.getBytes(0, expected);
        assertArrayEquals(expected, received.get(0));
        assertEquals(0, assembler.malformedCount());
    }

    @Test
    void chunkOutOfOrderIsDroppedAndCounted()
    {
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[256]);
        final ChunkEncoder encoder = new ChunkEncoder().wrapAndApplyHeader(chunk, 0, new MessageHeaderEncoder())
            .messageId(5).totalLength(1000).chunkOffset(100).putBytes(new byte[50], 0, 50);
        offer(chunk, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());

        awaitTrue(() -> pollOnce() && assembler.malformedCount() == 1);
        assertTrue(received.isEmpty());
    }

    @Test
    void chunkClaimingAnAbsurdTotalIsDroppedAndCounted()
    {
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[256]);
        final ChunkEncoder encoder = new ChunkEncoder().wrapAndApplyHeader(chunk, 0, new MessageHeaderEncoder())
            .messageId(5).totalLength(Integer.MAX_VALUE).chunkOffset(0).putBytes(new byte[50], 0, 50);
        offer(chunk, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());

        awaitTrue(() -> pollOnce() && assembler.malformedCount() == 1);
        assertTrue(received.isEmpty());
    }

    @Test
    void firstChunksBeyondThePartialBudgetAreRefusedAndCountedAndWhatWasReleasedCanBeUsedAgain()
    {
        final int total = 1_000_000;
        assembler = new MessageAssembler((buffer, offset, length, header) -> received.add(new byte[length]),
            total, settings.newVerifier(KeyRole.MEMBER), STREAM_ID, 2 * total);
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[256]);
        for (long messageId = 1; messageId <= 3; messageId++)
        {
            final ChunkEncoder encoder = new ChunkEncoder().wrapAndApplyHeader(chunk, 0, new MessageHeaderEncoder())
                .messageId(messageId).totalLength(total).chunkOffset(0).putBytes(new byte[50], 0, 50);
            offer(chunk, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        }

        awaitTrue(() -> pollOnce() && assembler.partialsRefused() == 1);
        assertEquals(2L * total, assembler.partialBytes());

        // A chunk that does not fit its message frees the message's bytes for the next one.
        final ChunkEncoder misfit = new ChunkEncoder().wrapAndApplyHeader(chunk, 0, new MessageHeaderEncoder())
            .messageId(1).totalLength(total).chunkOffset(999).putBytes(new byte[50], 0, 50);
        offer(chunk, MessageHeaderEncoder.ENCODED_LENGTH + misfit.encodedLength());
        awaitTrue(() -> pollOnce() && assembler.partialBytes() == total);
        final ChunkEncoder fourth = new ChunkEncoder().wrapAndApplyHeader(chunk, 0, new MessageHeaderEncoder())
            .messageId(4).totalLength(total).chunkOffset(0).putBytes(new byte[50], 0, 50);
        offer(chunk, MessageHeaderEncoder.ENCODED_LENGTH + fourth.encodedLength());
        awaitTrue(() -> pollOnce() && assembler.partialBytes() == 2L * total);
        assertEquals(1, assembler.partialsRefused());
    }

    @Test
    void randomBytesAreDroppedAndCountedAndValidMessagesStillFlow()
    {
        final Random random = new Random(7);
        final UnsafeBuffer noise = new UnsafeBuffer(new byte[300]);
        for (int i = 0; i < 50; i++)
        {
            final byte[] bytes = new byte[1 + random.nextInt(299)];
            random.nextBytes(bytes);
            noise.putBytes(0, bytes);
            offer(noise, bytes.length);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
        final int length = encodeRequest(buffer, new byte[10]);
        offer(buffer, length);

        awaitTrue(() -> pollOnce() && received.size() == 1);
        assertEquals(50, assembler.malformedCount());
    }

    private static int encodeRequest(final UnsafeBuffer buffer, final byte[] value)
    {
        final ClientRequestEncoder encoder = new ClientRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clusterId(1).chainId(0).replyStreamId(1).epoch(1).clientId(1).requestSeq(1).expectedVersion(0)
            .op(OpType.PUT).putKey(new byte[4], 0, 4).putValue(value, 0, value.length).replyChannel("aeron:udp?endpoint=a:1");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    @Test
    void framesWithoutAValidTrailerAreDroppedUnreadAndCounted()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final int length = encodeRequest(buffer, new byte[100]);
        awaitTrue(() -> publication.offer(buffer, 0, length) > 0);
        final UnsafeBuffer forged = new UnsafeBuffer(new byte[4096]);
        forged.putBytes(0, buffer, 0, length);
        forged.putInt(length, 1);
        awaitTrue(() -> publication.offer(forged, 0, length + FrameTrailer.LENGTH) > 0);

        awaitTrue(() -> pollOnce() && assembler.unauthenticatedCount() == 2);
        assertTrue(received.isEmpty());
        assertEquals(0, assembler.malformedCount());
    }

    private void offer(final UnsafeBuffer buffer, final int length)
    {
        // Signed: these frames come from a holder of the key and must be judged on their contents.
        final MessageSender signed = new MessageSender(settings.maxMessageLength(), new SleepingMillisIdleStrategy(1),
            settings.newSigner(KeyRole.MEMBER));
        awaitTrue(() -> signed.offer(publication, buffer, 0, length) > 0);
    }

    private boolean pollOnce()
    {
        subscription.poll(assembler, 100);
        return true;
    }

    private static void awaitTrue(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }
}
