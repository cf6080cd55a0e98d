package io.chainkv.node.chain;

import io.aeron.ExclusivePublication;
import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.config.ChainConfig;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import io.chainkv.protocol.codecs.AckEncoder;
import io.chainkv.protocol.codecs.ClientRequestEncoder;
import io.chainkv.protocol.codecs.JoinRequestEncoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.ResendRequestEncoder;
import io.chainkv.protocol.codecs.Status;
import io.chainkv.protocol.codecs.UpdateEncoder;
import io.chainkv.protocol.codecs.UpdateKind;
import io.chainkv.security.ClientIds;
import io.chainkv.security.HmacSha256;
import io.chainkv.security.KeyRing;
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

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Forgeries that owned the cluster before frames were authenticated, sent at real node processes with the right
 * cluster id, chain and epoch, so that only the MAC stands in their way (docs/security.md): an Ack that would make the
 * head commit past the tail, an Update that would make the tail diverge, a resend and a join request that would stall
 * or redirect healing, and a client's write. Each is sent without a trailer, signed with another cluster's keys, and
 * (for member frames) signed with a client key. Every one is dropped unread and counted, the chain keeps serving, and
 * its members end identical holding only what the real client wrote.
 */
class ForgedFramesTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final TransportSettings settings = TransportSettings.fromSystemProperties();
    private LocalChain chain;
    private ChainKvClient client;
    private EmbeddedAeron attacker;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, attacker, chain);
    }

    @Test
    void forgedMemberAndClientFramesAreDroppedCountedAndChangeNothing() throws Exception
    {
        chain = LocalChain.builder().nodes(3)
            .maxEntries(StoreInspection.MAX_ENTRIES)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .start();
        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config()));
        attacker = EmbeddedAeron.launch(EmbeddedAeron.uniqueDirectory("attacker"), settings.withoutAuthentication());
        client.put(bytes("before"), bytes("v"));

        final NodeProcess head = chain.head();
        final NodeProcess tail = chain.tail();
        final ExclusivePublication headClients = publication(head, StreamIds.CLIENT_REQUEST);
        final ExclusivePublication headFeedback = publication(head, StreamIds.FEEDBACK);
        final ExclusivePublication tailReplication = publication(tail, StreamIds.REPLICATION);
        final ExclusivePublication tailFeedback = publication(tail, StreamIds.FEEDBACK);

        final KeyRing otherCluster = KeyRing.parse(
            "member 1 " + randomSecret() + "\nclient 1001 " + randomSecret() + "\n", "another cluster's keys");
        final MessageSender unsigned = new MessageSender(settings.maxMessageLength(), settings.newIdleStrategy(), null);
        final MessageSender foreignMember = sender(otherCluster, KeyRole.MEMBER);
        final MessageSender foreignClient = sender(otherCluster, KeyRole.CLIENT);
        final MessageSender ourClient = settings.newSender(KeyRole.CLIENT, settings.maxMessageLength());

        final ChainConfig config = chain.config();
        for (final MessageSender forger : new MessageSender[]{ unsigned, foreignMember, foreignClient })
        {
            send(forger, headFeedback, encodeAck(config));
            send(forger, headFeedback, encodeResendRequest(config));
            send(forger, headClients, encodeWrite(config, "evil", StreamIds.CLIENT_REPLY));
            send(forger, tailReplication, encodeUpdate(config));
            send(forger, tailFeedback, encodeJoinRequest(config));
        }
        // A client of this cluster holds a client key: it may write, but never speak as a member, nor have a member
        // sign an answer to it (a reply on the feedback stream would be member-signed).
        send(ourClient, headFeedback, encodeAck(config));
        send(ourClient, headFeedback, encodeResendRequest(config));
        send(ourClient, tailReplication, encodeUpdate(config));
        send(ourClient, tailFeedback, encodeJoinRequest(config));
        send(ourClient, headClients, encodeWrite(config, "evil-reply-as-member", StreamIds.FEEDBACK));

        head.awaitCounter("unauthenticated frames dropped", 3 * 3 + 3, WAIT);
        tail.awaitCounter("unauthenticated frames dropped", 3 * 2 + 2, WAIT);

        client.put(bytes("after"), bytes("v"));
        assertEquals("v", new String(client.get(bytes("after")).value(), StandardCharsets.UTF_8));
        assertNull(client.get(bytes("evil")));
        assertNull(client.get(bytes("forged-update")));
        assertNull(client.get(bytes("evil-reply-as-member")));

        client.close();
        StoreInspection.stopAndAssertIdentical(chain.nodes(), 2);
    }

    @Test
    void aClientKeyCannotSpeakForTheSessionsOfAnother() throws Exception
    {
        chain = LocalChain.builder().nodes(2)
            .maxEntries(StoreInspection.MAX_ENTRIES)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .start();
        attacker = EmbeddedAeron.launch(EmbeddedAeron.uniqueDirectory("attacker"), settings.withoutAuthentication());
        final ChainConfig config = chain.config();
        final NodeProcess head = chain.head();
        final ExclusivePublication headClients = publication(head, StreamIds.CLIENT_REQUEST);
        // Two applications of this cluster, each with its own client key from the cluster's key file.
        final MessageSender first = sender(clientKeyOnly(1001), KeyRole.CLIENT);
        final MessageSender second = sender(clientKeyOnly(1002), KeyRole.CLIENT);

        final long firstSession = ClientIds.newClientId(1001);
        send(first, headClients, encodeWrite(config, firstSession, 1, true, "first", StreamIds.CLIENT_REPLY));
        head.awaitCounter("active sessions", 1, WAIT);

        // The second key tries to write in the first's session, to open a session under the first's key, and to end
        // the first's session.
        send(second, headClients, encodeWrite(config, firstSession, 2, false, "hijack", StreamIds.CLIENT_REPLY));
        send(second, headClients,
            encodeWrite(config, ClientIds.newClientId(1001), 1, true, "impostor", StreamIds.CLIENT_REPLY));
        send(second, headClients, encodeSessionClose(config, firstSession));
        // Its own session is its to use.
        send(second, headClients,
            encodeWrite(config, ClientIds.newClientId(1002), 1, true, "second", StreamIds.CLIENT_REPLY));

        head.awaitCounter("unauthenticated frames dropped", 3, WAIT);
        head.awaitCounter("active sessions", 2, WAIT);
        client = ChainKvClient.connect(new ClientConfig().chainConfig(config));
        assertEquals("x", new String(client.get(bytes("first")).value(), StandardCharsets.UTF_8));
        assertEquals("x", new String(client.get(bytes("second")).value(), StandardCharsets.UTF_8));
        assertNull(client.get(bytes("hijack")));
        assertNull(client.get(bytes("impostor")));
        // Reads open no session: the first application's is still there, beside the second's.
        assertEquals(2L, NodeCountersReader.read(head.aeronDir().toFile()).get("active sessions"));
        client.close();
    }

    private MessageSender sender(final KeyRing keys, final KeyRole role)
    {
        return new MessageSender(settings.maxMessageLength(), settings.newIdleStrategy(), keys.signer(role));
    }

    private static String randomSecret()
    {
        final byte[] secret = new byte[HmacSha256.KEY_LENGTH];
        new SecureRandom().nextBytes(secret);
        return HexFormat.of().formatHex(secret);
    }

    private int encodeAck(final ChainConfig config)
    {
        final AckEncoder ack = new AckEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).epoch(config.epoch()).committedSeq(Long.MAX_VALUE);
        return MessageHeaderEncoder.ENCODED_LENGTH + ack.encodedLength();
    }

    private int encodeResendRequest(final ChainConfig config)
    {
        final ResendRequestEncoder resend = new ResendRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).epoch(config.epoch()).lastAppliedSeq(0);
        return MessageHeaderEncoder.ENCODED_LENGTH + resend.encodedLength();
    }

    private int encodeJoinRequest(final ChainConfig config)
    {
        final JoinRequestEncoder join = new JoinRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).epoch(config.epoch()).transferId(99).sinceSeq(0).putSuspectKeys(new byte[0], 0, 0);
        return MessageHeaderEncoder.ENCODED_LENGTH + join.encodedLength();
    }

    private int encodeWrite(final ChainConfig config, final String key, final int replyStreamId)
    {
        return encodeWrite(config, ClientIds.newClientId(1001), 1, true, key, replyStreamId);
    }

    private int encodeWrite(
        final ChainConfig config,
        final long clientId,
        final long requestSeq,
        final boolean opensSession,
        final String key,
        final int replyStreamId)
    {
        final ClientRequestEncoder encoder = new ClientRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).replyStreamId(replyStreamId)
            .epoch(config.epoch()).clientId(clientId).requestSeq(requestSeq).expectedVersion(0).op(OpType.PUT)
            .opensSession((short)(opensSession ? 1 : 0))
            .putKey(bytes(key), 0, key.length()).putValue(bytes("x"), 0, 1)
            .replyChannel("aeron:udp?endpoint=127.0.0.1:9");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int encodeSessionClose(final ChainConfig config, final long clientId)
    {
        final ClientRequestEncoder encoder = new ClientRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).replyStreamId(StreamIds.CLIENT_REPLY)
            .epoch(config.epoch()).clientId(clientId).requestSeq(0).expectedVersion(0).op(OpType.SESSION_CLOSE)
            .opensSession((short)0).putKey(new byte[0], 0, 0).putValue(new byte[0], 0, 0)
            .replyChannel("aeron:udp?endpoint=127.0.0.1:9");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * @param keyId a client key of the suite's key file.
     * @return a ring holding only that key, as an application given it would.
     */
    private KeyRing clientKeyOnly(final int keyId) throws Exception
    {
        return KeyRing.parse(PerClientKeysTest.clientKeyLine(keyId), "client key " + keyId);
    }

    private int encodeUpdate(final ChainConfig config)
    {
        final String key = "forged-update";
        final UpdateEncoder encoder = new UpdateEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clusterId(config.clusterId()).chainId(config.chainId()).replyStreamId(StreamIds.CLIENT_REPLY)
            .epoch(config.epoch()).seq(2).prevSeq(1).clientId(5).requestSeq(1).resultVersion(2).kind(UpdateKind.PUT)
            .op(OpType.PUT).status(Status.OK).putKey(bytes(key), 0, key.length()).putValue(bytes("x"), 0, 1)
            .replyChannel("aeron:udp?endpoint=127.0.0.1:9");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private ExclusivePublication publication(final NodeProcess node, final int streamId)
    {
        return attacker.aeron().addExclusivePublication(Channels.udp(node.endpoint(), settings), streamId);
    }

    private void send(final MessageSender sender, final ExclusivePublication publication, final int length)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sender.offer(publication, buffer, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("could not send to " + publication.channel());
            }
            Thread.sleep(1);
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
