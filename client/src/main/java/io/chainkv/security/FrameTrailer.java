package io.chainkv.security;

/**
 * Layout of the authentication trailer that follows every transport message when authentication is on: the id of the
 * key that signed it, then the first {@link #TAG_LENGTH} bytes of HMAC-SHA-256 over the stream id, the key id and the
 * message (docs/protocol.md, "Authentication").
 */
public final class FrameTrailer
{
    /** Offset of the key id (int32, little-endian) in the trailer. */
    public static final int KEY_ID_OFFSET = 0;
    /** Offset of the tag in the trailer. */
    public static final int TAG_OFFSET = 4;
    /** Bytes of the tag: HMAC-SHA-256 truncated to 128 bits (RFC 2104 section 5 allows truncation to half). */
    public static final int TAG_LENGTH = 16;
    /** Bytes a trailer adds to a transport message. */
    public static final int LENGTH = TAG_OFFSET + TAG_LENGTH;

    private FrameTrailer()
    {
    }
}
