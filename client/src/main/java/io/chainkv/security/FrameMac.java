package io.chainkv.security;

import org.agrona.DirectBuffer;

/**
 * Computes a frame's tag: HMAC-SHA-256 over the stream id, the key id and the message bytes. Shared by
 * {@link FrameSigner} and {@link FrameVerifier} so that both sides compute exactly the same input.
 */
final class FrameMac
{
    private final HmacSha256 hmac;
    private final byte[] tag = new byte[HmacSha256.LENGTH];
    private static final int PREFIX = 8;

    private byte[] scratch = new byte[2048];

    FrameMac(final byte[] key)
    {
        hmac = new HmacSha256(key);
    }

    /**
     * @return the tag computed last; the first {@link FrameTrailer#TAG_LENGTH} bytes are what a trailer carries.
     */
    byte[] compute(final int streamId, final int keyId, final DirectBuffer buffer, final int offset, final int length)
    {
        // One update for the whole input: the stream id and key id go in front of the message in the scratch array.
        // MessageDigest's per-call cost would otherwise dominate a 36-byte ack.
        final int total = PREFIX + length;
        if (scratch.length < total)
        {
            scratch = new byte[Math.max(total, scratch.length * 2)];
        }
        putIntLittleEndian(scratch, 0, streamId);
        putIntLittleEndian(scratch, 4, keyId);
        buffer.getBytes(offset, scratch, PREFIX, length);
        hmac.update(scratch, 0, total);
        hmac.doFinal(tag, 0);
        return tag;
    }

    private static void putIntLittleEndian(final byte[] bytes, final int offset, final int value)
    {
        bytes[offset] = (byte)value;
        bytes[offset + 1] = (byte)(value >>> 8);
        bytes[offset + 2] = (byte)(value >>> 16);
        bytes[offset + 3] = (byte)(value >>> 24);
    }
}
