package io.chainkv.node.chain;

import io.aeron.ExclusivePublication;
import io.chainkv.config.ChainConfig;
import io.chainkv.protocol.codecs.AckEncoder;
import io.chainkv.protocol.codecs.ChunkEncoder;
import io.chainkv.protocol.codecs.ClientRequestEncoder;
import io.chainkv.protocol.codecs.ClientResponseEncoder;
import io.chainkv.protocol.codecs.JoinRequestEncoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.ReadMode;
import io.chainkv.protocol.codecs.ResendRequestEncoder;
import io.chainkv.protocol.codecs.Status;
import io.chainkv.protocol.codecs.SyncPointEncoder;
import io.chainkv.protocol.codecs.TransferAbortEncoder;
import io.chainkv.protocol.codecs.TransferBatchEncoder;
import io.chainkv.protocol.codecs.TransferBeginEncoder;
import io.chainkv.protocol.codecs.TransferClientsEncoder;
import io.chainkv.protocol.codecs.TransferEndEncoder;
import io.chainkv.protocol.codecs.UpdateEncoder;
import io.chainkv.protocol.codecs.UpdateKind;
import io.chainkv.security.ClientIds;
import io.chainkv.security.FrameSigner;
import io.chainkv.security.FrameTrailer;
import io.chainkv.security.KeyRing;
import io.chainkv.security.KeyRole;
import io.chainkv.transport.StreamIds;
import io.chainkv.transport.TransportSettings;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes and sends one hostile frame at a time for {@link FrameFuzzTest}: a valid frame of a random message type,
 * 0–3 structure-aware mutations (a field of the fixed block set to an edge value, the header's block length, template,
 * schema or version changed, a variable field's length prefix made absurd, bits flipped, the frame cut short or
 * lengthened), then one of these ways to authenticate it:
 * <ul>
 *     <li>client requests of this cluster signed with the real client key: what an authenticated but hostile client
 *     can send; they reach every check behind the MAC;</li>
 *     <li>frames of every type for <em>another cluster</em> signed with the real member key: they reach the
 *     validation and the decoders of the member streams, and must stop at the cluster fence (mutations never touch
 *     the cluster id); some go as broken chunk sequences;</li>
 *     <li>the frames that could hurt this cluster (an ack past the tail, the next update, resend and join requests)
 *     with no trailer, a random tag, another cluster's key, the client key, or a tag made for another stream.</li>
 * </ul>
 * Member frames of this cluster with a valid member MAC are never sent: members are trusted (docs/security.md).
 */
final class FrameFuzzer
{
    private static final int TEMPLATES = 13;
    private static final int CAPACITY = 16 * 1024;

    private final Random random;
    private final ChainConfig config;
    private final String sink;
    private final FrameSigner clientSigner;
    private final FrameSigner memberSigner;
    private final FrameSigner foreignSigner;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[CAPACITY]);
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[CAPACITY]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private long sent;
    private long clientSigned;
    private long foreignMember;
    private long forged;
    private long chunks;

    FrameFuzzer(final Random random, final TransportSettings settings, final ChainConfig config, final String sink)
    {
        this.random = random;
        this.config = config;
        this.sink = sink;
        this.clientSigner = settings.newSigner(KeyRole.CLIENT);
        this.memberSigner = settings.newSigner(KeyRole.MEMBER);
        final byte[] secret = new byte[32];
        random.nextBytes(secret);
        this.foreignSigner = KeyRing.parse("member 1 " + HexFormat.of().formatHex(secret), "foreign")
            .signer(KeyRole.MEMBER);
    }

    long sent()
    {
        return sent;
    }

    String describeMix()
    {
        return String.format("%,d client-signed, %,d member-signed of another cluster (%,d as chunks), %,d forged",
            clientSigned, foreignMember, chunks, forged);
    }

    void sendOne(final ExclusivePublication target)
    {
        final int streamId = target.streamId();
        final int roll = random.nextInt(100);
        if (StreamIds.CLIENT_REQUEST == streamId && roll < 45)
        {
            int length = encodeClientRequest(frame, config.clusterId());
            length = mutate(frame, length, false);
            clientSigner.sign(streamId, frame, 0, length, frame, length);
            offer(target, frame, length + FrameTrailer.LENGTH);
            clientSigned++;
        }
        else if (roll < 75)
        {
            final int length = encode(random.nextInt(TEMPLATES) + 1, message, config.clusterId() + 1);
            if (random.nextInt(5) == 0 && length > 64)
            {
                sendAsBrokenChunks(target, length);
            }
            else
            {
                final int mutated = mutate(message, length, true);
                memberSigner.sign(streamId, message, 0, mutated, message, mutated);
                offer(target, message, mutated + FrameTrailer.LENGTH);
            }
            foreignMember++;
        }
        else
        {
            final int template = new int[]{ 3, 4, 5, 7, 1, 12, 13 }[random.nextInt(7)];
            int length = encode(template, frame, config.clusterId());
            length = mutate(frame, length, false);
            length = forgeTrailer(streamId, frame, length);
            offer(target, frame, length);
            forged++;
        }
        sent++;
        if (0 == (sent & 63))
        {
            // Paced, so that the storm tests what the nodes do with hostile frames, not whether two cores keep up.
            LockSupport.parkNanos(1_000_000);
        }
    }

    private int forgeTrailer(final int streamId, final UnsafeBuffer buffer, final int length)
    {
        switch (random.nextInt(6))
        {
            case 0:
                return length;
            case 1:
                buffer.putInt(length, memberSigner.keyId(), ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < FrameTrailer.TAG_LENGTH; i++)
                {
                    buffer.putByte(length + FrameTrailer.TAG_OFFSET + i, (byte)random.nextInt());
                }
                return length + FrameTrailer.LENGTH;
            case 2:
                foreignSigner.sign(streamId, buffer, 0, length, buffer, length);
                return length + FrameTrailer.LENGTH;
            case 3:
                clientSigner.sign(streamId, buffer, 0, length, buffer, length);
                return StreamIds.CLIENT_REQUEST == streamId ? length : length + FrameTrailer.LENGTH;
            case 4:
                memberSigner.sign(streamId + 1 + random.nextInt(3), buffer, 0, length, buffer, length);
                return length + FrameTrailer.LENGTH;
            default:
                memberSigner.sign(streamId, buffer, 0, length, buffer, length);
                return length + random.nextInt(FrameTrailer.LENGTH);
        }
    }

    private void sendAsBrokenChunks(final ExclusivePublication target, final int length)
    {
        final long messageId = random.nextLong();
        final int pieces = 2 + random.nextInt(3);
        final int pieceLength = (length + pieces - 1) / pieces;
        final ChunkEncoder chunk = new ChunkEncoder();
        final int skip = random.nextInt(pieces + 2);
        final int repeat = random.nextInt(pieces + 2);
        for (int i = 0; i < pieces; i++)
        {
            if (i == skip)
            {
                continue;
            }
            final int offset = i * pieceLength;
            final int size = Math.min(pieceLength, length - offset);
            for (int copy = i == repeat ? 2 : 1; copy > 0; copy--)
            {
                chunk.wrapAndApplyHeader(frame, 0, header)
                    .messageId(messageId)
                    .totalLength(random.nextInt(8) == 0 ? random.nextInt() : length)
                    .chunkOffset(random.nextInt(8) == 0 ? random.nextInt(length + 10) - 5 : offset)
                    .putBytes(message, offset, size);
                final int chunkLength = MessageHeaderEncoder.ENCODED_LENGTH + chunk.encodedLength();
                memberSigner.sign(target.streamId(), frame, 0, chunkLength, frame, chunkLength);
                offer(target, frame, chunkLength + FrameTrailer.LENGTH);
                chunks++;
            }
        }
    }

    /**
     * @param protectClusterId never change the cluster id (bytes 8–15: every message but Chunk starts with it), so a
     *                         frame of another cluster stays one.
     */
    private int mutate(final UnsafeBuffer buffer, final int length, final boolean protectClusterId)
    {
        int current = length;
        final int mutations = random.nextInt(4);
        for (int m = 0; m < mutations; m++)
        {
            switch (random.nextInt(7))
            {
                case 0:
                case 1:
                {
                    final int width = 1 << random.nextInt(4);
                    final int blockLength = buffer.getShort(0, ByteOrder.LITTLE_ENDIAN) & 0xffff;
                    final int span = Math.max(1, Math.min(blockLength, current - MessageHeaderEncoder.ENCODED_LENGTH) -
                        width);
                    final int offset = MessageHeaderEncoder.ENCODED_LENGTH + random.nextInt(span);
                    if (!(protectClusterId && offset < 16) && offset + width <= current)
                    {
                        putEdge(buffer, offset, width);
                    }
                    break;
                }
                case 2:
                {
                    final int field = random.nextInt(4) * 2;
                    final short value = (short)new int[]{ 0, 1, 7301, 0xffff, random.nextInt(), 3, 14, 2 }[random.nextInt(8)];
                    if (!(protectClusterId && 2 == field && random.nextBoolean()))
                    {
                        buffer.putShort(field, value, ByteOrder.LITTLE_ENDIAN);
                    }
                    break;
                }
                case 3:
                {
                    final int blockLength = buffer.getShort(0, ByteOrder.LITTLE_ENDIAN) & 0xffff;
                    final int offset = MessageHeaderEncoder.ENCODED_LENGTH + blockLength;
                    if (offset + 4 <= current)
                    {
                        buffer.putInt(offset, new int[]{ -1, Integer.MAX_VALUE, current, 1 << 20, random.nextInt() }
                            [random.nextInt(5)], ByteOrder.LITTLE_ENDIAN);
                    }
                    break;
                }
                case 4:
                {
                    final int offset = random.nextInt(current);
                    if (!(protectClusterId && offset >= 8 && offset < 16))
                    {
                        buffer.putByte(offset, (byte)(buffer.getByte(offset) ^ (1 << random.nextInt(8))));
                    }
                    break;
                }
                case 5:
                    current = Math.max(1, random.nextInt(current) + (protectClusterId ? 16 : 0));
                    current = Math.min(current, length);
                    break;
                default:
                {
                    final int extra = 1 + random.nextInt(64);
                    for (int i = 0; i < extra && current < CAPACITY - FrameTrailer.LENGTH; i++)
                    {
                        buffer.putByte(current++, (byte)random.nextInt());
                    }
                    break;
                }
            }
        }
        return current;
    }

    private void putEdge(final UnsafeBuffer buffer, final int offset, final int width)
    {
        final long[] edges = { 0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, config.epoch(), config.epoch() + 1,
            config.epoch() - 1, 2, 255, 77, random.nextLong() };
        final long value = edges[random.nextInt(edges.length)];
        switch (width)
        {
            case 1:
                buffer.putByte(offset, (byte)value);
                break;
            case 2:
                buffer.putShort(offset, (short)value, ByteOrder.LITTLE_ENDIAN);
                break;
            case 4:
                buffer.putInt(offset, (int)value, ByteOrder.LITTLE_ENDIAN);
                break;
            default:
                buffer.putLong(offset, value, ByteOrder.LITTLE_ENDIAN);
                break;
        }
    }

    /**
     * Mostly client ids bound to the fuzzer's client key, so its writes reach the store (ClientIds); one in eight names
     * any key, which a node must drop.
     */
    private long fuzzedClientId()
    {
        final long random48 = random.nextLong() >>> ClientIds.KEY_ID_BITS;
        return 0 == random.nextInt(8) ? random.nextLong() :
            ((long)clientSigner.keyId() << ClientIds.RANDOM_BITS) | random48;
    }

    private int encodeClientRequest(final UnsafeBuffer buffer, final long clusterId)
    {
        final OpType[] ops = { OpType.GET, OpType.PUT, OpType.DELETE, OpType.CAS, OpType.VERSION, OpType.KEEPALIVE,
            OpType.SESSION_CLOSE };
        final byte[] key = ("fuzz-" + random.nextInt(64)).getBytes(StandardCharsets.US_ASCII);
        final byte[] value = new byte[random.nextInt(200)];
        random.nextBytes(value);
        final ClientRequestEncoder request = new ClientRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clusterId(clusterId).chainId(config.chainId())
            .replyStreamId(random.nextInt(10) == 0 ? StreamIds.FEEDBACK : StreamIds.CLIENT_REPLY)
            .epoch(config.epoch()).clientId(fuzzedClientId()).requestSeq(1 + random.nextInt(5))
            .expectedVersion(random.nextInt(3)).op(ops[random.nextInt(ops.length)])
            .readMode(ReadMode.values()[random.nextInt(ReadMode.values().length - 1)])
            .opensSession((short)random.nextInt(2))
            .putKey(key, 0, key.length).putValue(value, 0, value.length)
            .replyChannel(sink);
        return MessageHeaderEncoder.ENCODED_LENGTH + request.encodedLength();
    }

    private int encode(final int template, final UnsafeBuffer buffer, final long clusterId)
    {
        final int chainId = config.chainId();
        final long epoch = config.epoch();
        final long seq = 1 + random.nextInt(1_000);
        final byte[] key = ("fuzz-" + random.nextInt(64)).getBytes(StandardCharsets.US_ASCII);
        final byte[] value = new byte[random.nextInt(3) == 0 ? 2_000 + random.nextInt(3_000) : random.nextInt(100)];
        random.nextBytes(value);
        final int blockAndVar;
        switch (template)
        {
            case 1:
                return encodeClientRequest(buffer, clusterId);
            case 2:
                blockAndVar = new ClientResponseEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).epoch(epoch).clientId(random.nextLong()).requestSeq(seq)
                    .version(seq).op(OpType.VERSION).status(Status.OK).putValue(value, 0, value.length).detail("")
                    .encodedLength();
                break;
            case 3:
                blockAndVar = new UpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).replyStreamId(StreamIds.CLIENT_REPLY).epoch(epoch)
                    .seq(seq).prevSeq(seq - 1).clientId(random.nextLong()).requestSeq(1).resultVersion(seq)
                    .kind(UpdateKind.PUT).op(OpType.PUT).status(Status.OK).putKey(key, 0, key.length)
                    .putValue(value, 0, value.length).replyChannel(sink).encodedLength();
                break;
            case 4:
                blockAndVar = new AckEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).epoch(epoch)
                    .committedSeq(random.nextBoolean() ? Long.MAX_VALUE : seq).encodedLength();
                break;
            case 5:
                blockAndVar = new ResendRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).epoch(epoch).lastAppliedSeq(random.nextInt(3))
                    .encodedLength();
                break;
            case 6:
                blockAndVar = new ChunkEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .messageId(random.nextLong()).totalLength(random.nextInt(1 << 24)).chunkOffset(random.nextInt(100))
                    .putBytes(value, 0, value.length).encodedLength();
                break;
            case 7:
                blockAndVar = new JoinRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).epoch(epoch).transferId(random.nextLong())
                    .sinceSeq(random.nextInt(3)).putSuspectKeys(value, 0, Math.min(value.length, 40)).encodedLength();
                break;
            case 8:
                blockAndVar = new TransferBeginEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).epoch(epoch).transferId(random.nextLong()).startSeq(seq)
                    .sinceSeq(0).full((short)random.nextInt(2)).encodedLength();
                break;
            case 9:
            {
                final TransferBatchEncoder batch = new TransferBatchEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).epoch(epoch).transferId(random.nextLong());
                final int count = 1 + random.nextInt(3);
                final TransferBatchEncoder.EntriesEncoder entries = batch.entriesCount(count);
                for (int i = 0; i < count; i++)
                {
                    entries.next().version(seq + i).tombstone((short)random.nextInt(2))
                        .putKey(key, 0, key.length).putValue(value, 0, Math.min(value.length, 500));
                }
                blockAndVar = batch.encodedLength();
                break;
            }
            case 10:
            {
                final TransferClientsEncoder clients = new TransferClientsEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).epoch(epoch).transferId(random.nextLong());
                final int count = 1 + random.nextInt(3);
                final TransferClientsEncoder.SlotsEncoder slots = clients.slotsCount(count);
                for (int i = 0; i < count; i++)
                {
                    slots.next().clientId(random.nextLong()).requestSeq(seq).version(seq)
                        .status((short)random.nextInt(20));
                }
                blockAndVar = clients.encodedLength();
                break;
            }
            case 11:
                blockAndVar = new TransferEndEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).epoch(epoch).transferId(random.nextLong()).endSeq(seq)
                    .entries(random.nextInt(10)).clientSlots(random.nextInt(10)).tombstoneHorizon(seq)
                    .encodedLength();
                break;
            case 12:
                blockAndVar = new SyncPointEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).epoch(epoch).seq(seq).encodedLength();
                break;
            default:
                blockAndVar = new TransferAbortEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .clusterId(clusterId).chainId(chainId).epoch(epoch).transferId(random.nextLong())
                    .heldAfterSeq(seq).encodedLength();
                break;
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + blockAndVar;
    }

    private static void offer(final ExclusivePublication publication, final UnsafeBuffer buffer, final int length)
    {
        if (length > publication.maxMessageLength())
        {
            return;
        }
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (publication.offer(buffer, 0, length) > 0)
            {
                return;
            }
            LockSupport.parkNanos(100_000);
        }
    }
}
