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
        hmac.updateInt(streamId);
        hmac.updateInt(keyId);
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            hmac.update(array, (int)buffer.wrapAdjustment() + offset, length);
        }
        else
        {
            // Off-heap buffers (Aeron's term buffers) are copied once into a scratch array: MessageDigest takes
            // arrays or ByteBuffers, and a ByteBuffer view of the term would be a new object per frame.
            if (scratch.length < length)
            {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            buffer.getBytes(offset, scratch, 0, length);
            hmac.update(scratch, 0, length);
        }
        hmac.doFinal(tag, 0);
        return tag;
    }
}
