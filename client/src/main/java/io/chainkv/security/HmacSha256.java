package io.chainkv.security;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA-256 (RFC 2104) over the JDK's SHA-256, computed without allocating.
 * <p>
 * {@code javax.crypto.Mac} allocates the inner digest on every {@code doFinal}; a node computes one MAC per frame it
 * sends or receives, so this class keeps the two padded key blocks and one scratch digest and runs the standard
 * construction, H((K ^ opad) || H((K ^ ipad) || m)), on a single {@link MessageDigest} (which the JDK backs with the
 * CPU's SHA instructions where it has them). {@code HmacSha256Test} checks it against {@code javax.crypto.Mac}.
 * <p>
 * Not thread safe: one instance per thread.
 */
public final class HmacSha256
{
    /** Length of a full tag in bytes. */
    public static final int LENGTH = 32;
    /** Length of the secret keys ChainKV uses, in bytes. */
    public static final int KEY_LENGTH = 32;

    private static final int BLOCK = 64;

    private final MessageDigest digest;
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final byte[] innerHash = new byte[LENGTH];
    private boolean started;

    /**
     * @param key the secret, {@link #KEY_LENGTH} bytes (any length up to one block is valid HMAC; ChainKV's keys are
     *            32 random bytes).
     */
    public HmacSha256(final byte[] key)
    {
        if (key.length == 0 || key.length > BLOCK)
        {
            throw new IllegalArgumentException("an HMAC-SHA-256 key has 1 to 64 bytes, this one " + key.length);
        }
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("this JVM has no SHA-256", ex);
        }
        for (int i = 0; i < BLOCK; i++)
        {
            final byte k = i < key.length ? key[i] : 0;
            innerPad[i] = (byte)(k ^ 0x36);
            outerPad[i] = (byte)(k ^ 0x5c);
        }
    }

    /**
     * Adds bytes to the message being authenticated.
     *
     * @param bytes  source.
     * @param offset of the first byte.
     * @param length how many.
     */
    public void update(final byte[] bytes, final int offset, final int length)
    {
        start();
        digest.update(bytes, offset, length);
    }

    /**
     * Completes the tag of everything added since the last call and starts afresh.
     *
     * @param out    where the tag goes: {@link #LENGTH} bytes from {@code offset}.
     * @param offset of the tag in {@code out}.
     */
    public void doFinal(final byte[] out, final int offset)
    {
        start();
        started = false;
        try
        {
            digest.digest(innerHash, 0, LENGTH);
            digest.update(outerPad, 0, BLOCK);
            digest.update(innerHash, 0, LENGTH);
            digest.digest(out, offset, LENGTH);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
        Arrays.fill(innerHash, (byte)0);
    }

    private void start()
    {
        if (!started)
        {
            started = true;
            digest.update(innerPad, 0, BLOCK);
        }
    }
}
