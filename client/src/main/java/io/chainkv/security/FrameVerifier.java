package io.chainkv.security;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.nio.ByteOrder;

/**
 * Checks the authentication trailer of incoming transport messages against the keys of the roles a stream accepts
 * (docs/protocol.md, "Authentication"). A frame whose key is unknown, of a role the stream does not accept, or whose
 * tag does not match, is refused; the caller drops it unread.
 * <p>
 * Not thread safe: each receiving thread has its own, from {@link KeyRing#verifier}.
 */
public final class FrameVerifier
{
    private final Int2ObjectHashMap<Key> keys = new Int2ObjectHashMap<>();
    private KeyRole lastRole;
    private int lastKeyId;

    FrameVerifier()
    {
    }

    void accept(final int keyId, final KeyRole role, final byte[] secret)
    {
        keys.put(keyId, new Key(role, new FrameMac(secret)));
    }

    /**
     * @param streamId the stream the message arrived on.
     * @param buffer   holding the message and its trailer.
     * @param offset   of the message.
     * @param length   of the message and its trailer.
     * @return true if the trailer proves the message was sent, unchanged, by a holder of an accepted key.
     */
    public boolean verify(final int streamId, final DirectBuffer buffer, final int offset, final int length)
    {
        lastRole = null;
        lastKeyId = 0;
        final int messageLength = length - FrameTrailer.LENGTH;
        if (messageLength <= 0)
        {
            return false;
        }
        final int trailerOffset = offset + messageLength;
        final int keyId = buffer.getInt(trailerOffset + FrameTrailer.KEY_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final Key key = keys.get(keyId);
        if (null == key)
        {
            return false;
        }
        final byte[] tag = key.mac.compute(streamId, keyId, buffer, offset, messageLength);
        // Constant time: how many leading bytes of a forged tag match must not show in how long the check takes.
        int difference = 0;
        for (int i = 0; i < FrameTrailer.TAG_LENGTH; i++)
        {
            difference |= tag[i] ^ buffer.getByte(trailerOffset + FrameTrailer.TAG_OFFSET + i);
        }
        if (0 != difference)
        {
            return false;
        }
        lastRole = key.role;
        lastKeyId = keyId;
        return true;
    }

    /**
     * @return the role of the key of the message {@link #verify} accepted last, null if it refused the last one.
     */
    public KeyRole lastRole()
    {
        return lastRole;
    }

    /**
     * @return the id of the key of the message {@link #verify} accepted last, 0 if it refused the last one.
     */
    public int lastKeyId()
    {
        return lastKeyId;
    }

    private static final class Key
    {
        final KeyRole role;
        final FrameMac mac;

        Key(final KeyRole role, final FrameMac mac)
        {
            this.role = role;
            this.mac = mac;
        }
    }
}
