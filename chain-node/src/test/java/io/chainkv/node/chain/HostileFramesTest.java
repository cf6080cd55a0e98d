package io.chainkv.node.chain;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.config.ChainConfig;
import io.chainkv.node.harness.FreePorts;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import io.chainkv.protocol.codecs.AckEncoder;
import io.chainkv.protocol.codecs.ClientRequestEncoder;
import io.chainkv.protocol.codecs.ClientResponseDecoder;
import io.chainkv.protocol.codecs.ClientResponseEncoder;
import io.chainkv.protocol.codecs.MessageHeaderDecoder;
import io.chainkv.protocol.codecs.ReadMode;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.Status;
import io.chainkv.protocol.codecs.UpdateEncoder;
import io.chainkv.protocol.codecs.UpdateKind;
import io.chainkv.security.KeyRole;
import io.chainkv.transport.Channels;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.MessageSender;
import io.chainkv.transport.StreamIds;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Garbage, truncated frames and messages from another cluster or epoch, sent straight at real node processes by a
 * sender that holds the cluster's keys (every frame here carries a valid MAC, so it is judged on its contents; frames
 * without one are {@link ForgedFramesTest}'s): each is dropped and counted, the nodes keep serving, and no node's
 * contents change.
 */
class HostileFramesTest
{
    private static final int NOISE_FRAMES = 40;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final TransportSettings keys = TransportSettings.fromSystemProperties();
    private final MessageSender signed = keys.newSender(KeyRole.MEMBER, keys.maxMessageLength());
    private LocalChain chain;
    private ChainKvClient client;
    private EmbeddedAeron attacker;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, attacker, chain);
    }

    private void startChainAndAttacker()
    {
        chain = LocalChain.builder().nodes(3)
            .maxEntries(StoreInspection.MAX_ENTRIES)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .start();
        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config()));
        attacker = EmbeddedAeron.launch(
            EmbeddedAeron.uniqueDirectory("attacker"), TransportSettings.fromSystemProperties());
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void malformedAndForeignFramesAreDroppedCountedAndChangeNothing() throws Exception
    {
        startChainAndAttacker();
        client.put(bytes("before"), bytes("v"));
        final TransportSettings settings = TransportSettings.fromSystemProperties();
        final NodeProcess head = chain.head();
        final NodeProcess middle = chain.node("n2");
        final ExclusivePublication toHeadClients = publication(head, StreamIds.CLIENT_REQUEST, settings);
        final ExclusivePublication toHeadFeedback = publication(head, StreamIds.FEEDBACK, settings);
        final ExclusivePublication toMiddleReplication = publication(middle, StreamIds.REPLICATION, settings);

        final Random random = new Random(11);
        final byte[] noise = new byte[300];
        for (int i = 0; i < NOISE_FRAMES; i++)
        {
            random.nextBytes(noise);
            buffer.putBytes(0, noise);
            offer(toHeadClients, 1 + random.nextInt(noise.length));
            offer(toHeadFeedback, 1 + random.nextInt(noise.length));
        }

        final int requestLength = encodeRequest(chain.config());
        offer(toHeadClients, requestLength - 5);
        buffer.putShort(4, (short)4242, ByteOrder.LITTLE_ENDIAN);
        offer(toHeadClients, requestLength);

        final ChainConfig config = chain.config();
        offer(toMiddleReplication, encodeUpdate(config.clusterId(), config.epoch() + 98, "evil"));
        offer(toMiddleReplication, encodeUpdate(config.clusterId() + 1, config.epoch(), "evil"));
        final AckEncoder ack = new AckEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).epoch(config.epoch() + 5).committedSeq(Long.MAX_VALUE);
        offer(toHeadFeedback, MessageHeaderEncoder.ENCODED_LENGTH + ack.encodedLength());

        head.awaitCounter("malformed frames dropped", 2L * NOISE_FRAMES + 2, WAIT);
        head.awaitCounter("messages of another cluster/chain/epoch dropped", 1, WAIT);
        middle.awaitCounter("messages of another cluster/chain/epoch dropped", 2, WAIT);

        client.put(bytes("after"), bytes("v"));
        assertEquals("v", new String(client.get(bytes("after")).value(), StandardCharsets.UTF_8));
        assertNull(client.get(bytes("evil")));

        client.close();
        StoreInspection.stopAndAssertIdentical(chain.nodes(), 2);
    }

    @Test
    void unknownOpsAndReadModesAreRefusedMalformedAndForgedVersionAnswersIgnored() throws Exception
    {
        startChainAndAttacker();
        client.put(bytes("k"), bytes("v"));
        final TransportSettings settings = TransportSettings.fromSystemProperties();
        final String replyEndpoint = "127.0.0.1:" + FreePorts.udp(1).get(0);
        final Subscription replies = attacker.aeron().addSubscription(
            Channels.udp(replyEndpoint, settings), StreamIds.CLIENT_REPLY);
        final ChainConfig config = chain.config();
        final ExclusivePublication toHeadClients = publication(chain.head(), StreamIds.CLIENT_REQUEST, settings);

        final int unknownMode = encodeRead(config, replyEndpoint, 1, OpType.GET);
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + ClientRequestEncoder.readModeEncodingOffset(), (byte)77);
        offer(toHeadClients, unknownMode);
        assertEquals(Status.MALFORMED, awaitResponse(replies, 1));

        final int unknownOp = encodeRead(config, replyEndpoint, 3, OpType.GET);
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + ClientRequestEncoder.opEncodingOffset(), (byte)42);
        offer(toHeadClients, unknownOp);
        assertEquals(Status.MALFORMED, awaitResponse(replies, 3));
        chain.head().awaitCounter("frames with unknown enum values dropped", 2, WAIT);

        // An answer to a version query nobody asked: dropped and counted, nothing answered.
        final ExclusivePublication toMiddleFeedback = publication(chain.node("n2"), StreamIds.FEEDBACK, settings);
        final ClientResponseEncoder forged = new ClientResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).epoch(config.epoch()).clientId(5).requestSeq(1)
            .version(1).op(OpType.VERSION).status(Status.OK).putValue(bytes(""), 0, 0).detail("");
        offer(toMiddleFeedback, MessageHeaderEncoder.ENCODED_LENGTH + forged.encodedLength());
        chain.node("n2").awaitCounter("messages of another cluster/chain/epoch dropped", 1, WAIT);

        assertEquals("v", new String(client.get(bytes("k")).value(), StandardCharsets.UTF_8));
    }

    @Test
    void requestsNamingAHostNameAGroupOrAnotherStreamAreDroppedUnansweredAndCounted() throws Exception
    {
        startChainAndAttacker();
        client.put(bytes("k"), bytes("v"));
        final TransportSettings settings = TransportSettings.fromSystemProperties();
        final int port = FreePorts.udp(1).get(0);
        final Subscription replies = attacker.aeron().addSubscription(
            Channels.udp("127.0.0.1:" + port, settings), StreamIds.CLIENT_REPLY);
        final ChainConfig config = chain.config();
        final NodeProcess head = chain.head();
        final ExclusivePublication toHeadClients = publication(head, StreamIds.CLIENT_REQUEST, settings);

        // Each would have been answered before: "localhost" resolves to this host, the group is joinable.
        offer(toHeadClients, encodeRead(config, "localhost:" + port, 1, OpType.GET));
        offer(toHeadClients, encodeRead(config, "224.0.1.1:" + port, 2, OpType.GET));
        offer(toHeadClients, encodeRead(config, "127.0.0.1:" + port + "|control=127.0.0.1:" + port, 3, OpType.GET));
        final int otherStream = encodeRead(config, "127.0.0.1:" + port, 4, OpType.GET);
        buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + ClientRequestEncoder.replyStreamIdEncodingOffset(),
            StreamIds.FEEDBACK, ByteOrder.LITTLE_ENDIAN);
        offer(toHeadClients, otherStream);
        // A version query must name a member of the epoch.
        offer(toHeadClients, encodeRead(config, "127.0.0.1:" + port, 5, OpType.VERSION));

        head.awaitCounter("requests with a refused reply channel dropped", 5, WAIT);
        offer(toHeadClients, encodeRead(config, "127.0.0.1:" + port, 6, OpType.GET));
        assertEquals(Status.OK, awaitResponse(replies, 6));
        assertEquals(0, drainResponses(replies), "no answer to any of the refused requests");
        assertEquals("v", new String(client.get(bytes("k")).value(), StandardCharsets.UTF_8));
    }

    @Test
    void framesWithUnknownEnumValuesAreDroppedCountedAndTheChainKeepsServing() throws Exception
    {
        startChainAndAttacker();
        client.put(bytes("before"), bytes("v"));
        final TransportSettings settings = TransportSettings.fromSystemProperties();
        final ChainConfig config = chain.config();
        final NodeProcess middle = chain.node("n2");
        final ExclusivePublication toMiddleReplication = publication(middle, StreamIds.REPLICATION, settings);
        final ExclusivePublication toMiddleFeedback = publication(middle, StreamIds.FEEDBACK, settings);
        final long next = NodeCountersReader.read(middle.aeronDir().toFile()).get("last applied seq") + 1;

        // Current epoch, next in sequence: only the enum values are wrong. Each would have thrown on the agent thread.
        for (final int field : new int[]{ UpdateEncoder.kindEncodingOffset(), UpdateEncoder.opEncodingOffset(),
            UpdateEncoder.statusEncodingOffset() })
        {
            final int length = encodeUpdate(config.clusterId(), config.epoch(), next, next - 1, "evil");
            buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + field, (byte)77);
            offer(toMiddleReplication, length);
        }
        final ClientResponseEncoder response = new ClientResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).epoch(config.epoch()).clientId(5).requestSeq(1)
            .version(1).op(OpType.VERSION).status(Status.OK).putValue(bytes(""), 0, 0).detail("");
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + ClientResponseEncoder.statusEncodingOffset(), (byte)200);
        offer(toMiddleFeedback, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());

        middle.awaitCounter("frames with unknown enum values dropped", 4, WAIT);
        client.put(bytes("after"), bytes("v"));
        assertEquals("v", new String(client.get(bytes("after")).value(), StandardCharsets.UTF_8));
        assertNull(client.get(bytes("evil")));
        assertTrue(middle.isAlive());
    }

    private static int drainResponses(final Subscription replies) throws InterruptedException
    {
        final int[] count = new int[1];
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() < deadline)
        {
            replies.poll((buffer, offset, length, h) -> count[0]++, 10);
            Thread.sleep(5);
        }
        return count[0];
    }

    private int encodeRead(final ChainConfig config, final String replyEndpoint, final long requestSeq, final OpType op)
    {
        final ClientRequestEncoder encoder = new ClientRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).replyStreamId(StreamIds.CLIENT_REPLY)
            .epoch(config.epoch()).clientId(6).requestSeq(requestSeq).expectedVersion(0).op(op)
            .readMode(ReadMode.LINEARIZABLE).putKey(bytes("k"), 0, 1).putValue(bytes(""), 0, 0)
            .replyChannel("aeron:udp?endpoint=" + replyEndpoint);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private static Status awaitResponse(final Subscription replies, final long requestSeq) throws InterruptedException
    {
        final Status[] status = new Status[1];
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final ClientResponseDecoder response = new ClientResponseDecoder();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (null == status[0] && System.nanoTime() < deadline)
        {
            replies.poll((buffer, offset, length, h) ->
            {
                response.wrapAndApplyHeader(buffer, offset, header.wrap(buffer, offset));
                if (response.requestSeq() == requestSeq)
                {
                    status[0] = response.status();
                }
            }, 10);
            Thread.sleep(1);
        }
        if (null == status[0])
        {
            throw new AssertionError("no answer to request " + requestSeq + " within 10 s");
        }
        return status[0];
    }

    private ExclusivePublication publication(final NodeProcess node, final int streamId, final TransportSettings settings)
    {
        return attacker.aeron().addExclusivePublication(Channels.udp(node.endpoint(), settings), streamId);
    }

    private int encodeRequest(final ChainConfig config)
    {
        final ClientRequestEncoder encoder = new ClientRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).replyStreamId(StreamIds.CLIENT_REPLY)
            .epoch(config.epoch()).clientId(5).requestSeq(1).expectedVersion(0).op(OpType.PUT)
            .putKey(bytes("evil"), 0, 4).putValue(bytes("x"), 0, 1).replyChannel("aeron:udp?endpoint=127.0.0.1:9");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int encodeUpdate(final long clusterId, final long epoch, final String key)
    {
        return encodeUpdate(clusterId, epoch, 2, 1, key);
    }

    private int encodeUpdate(final long clusterId, final long epoch, final long seq, final long prevSeq, final String key)
    {
        final UpdateEncoder encoder = new UpdateEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(clusterId).chainId(0).replyStreamId(StreamIds.CLIENT_REPLY).epoch(epoch)
            .seq(seq).prevSeq(prevSeq).clientId(5).requestSeq(1).resultVersion(2).kind(UpdateKind.PUT).op(OpType.PUT)
            .status(Status.OK).putKey(bytes(key), 0, key.length()).putValue(bytes("x"), 0, 1)
            .replyChannel("aeron:udp?endpoint=127.0.0.1:9");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private void offer(final ExclusivePublication publication, final int length) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (signed.offer(publication, buffer, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("could not send to " + publication.channel());
            }
            Thread.sleep(1);
        }
    }
}
