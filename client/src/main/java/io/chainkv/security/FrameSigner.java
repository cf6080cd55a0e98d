package io.chainkv.security;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Writes the authentication trailer of outgoing transport messages with one key (docs/protocol.md, "Authentication").
 * <p>
 * Not thread safe: each sending thread has its own, from {@link KeyRing#signer}.
 */
public final class FrameSigner
{
    private final KeyRole role;
    private final int keyId;
    private final FrameMac mac;

    FrameSigner(final KeyRole role, final int keyId, final byte[] key)
    {
        this.role = role;
        this.keyId = keyId;
        this.mac = new FrameMac(key);
    }

    /**
     * @return what the signing key lets its holder do.
     */
    public KeyRole role()
    {
        return role;
    }

    /**
     * @return the id of the signing key.
     */
    public int keyId()
    {
        return keyId;
    }

    /**
     * Writes the trailer of a message.
     *
     * @param streamId      the stream the message goes out on (a frame signed for one stream is refused on another).
     * @param buffer        holding the message.
     * @param offset        of the message.
     * @param length        of the message, without the trailer.
     * @param trailer       where the trailer goes: {@link FrameTrailer#LENGTH} bytes from {@code trailerOffset}.
     * @param trailerOffset of the trailer.
     */
    public void sign(
        final int streamId,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final MutableDirectBuffer trailer,
        final int trailerOffset)
    {
        final byte[] tag = mac.compute(streamId, keyId, buffer, offset, length);
        trailer.putInt(trailerOffset + FrameTrailer.KEY_ID_OFFSET, keyId, ByteOrder.LITTLE_ENDIAN);
        trailer.putBytes(trailerOffset + FrameTrailer.TAG_OFFSET, tag, 0, FrameTrailer.TAG_LENGTH);
    }
}
