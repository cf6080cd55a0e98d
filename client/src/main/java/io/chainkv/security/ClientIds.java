package io.chainkv.security;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Client ids bound to client keys (docs/security.md, "Per-client keys"): the top {@value #KEY_ID_BITS} bits of a
 * client id (the session id a client's requests carry, docs/client.md, "Sessions") name the client key that may speak
 * for it, the other {@value #RANDOM_BITS} bits are random. A node drops a client-signed request whose client id names
 * another key than the one that signed it, so the holder of one client key cannot write, keep alive or end the
 * sessions of another's, nor read its outcomes from the exactly-once table. The binding is arithmetic, not state:
 * every member enforces it the same way, a new head included, with nothing to replicate.
 */
public final class ClientIds
{
    /** Bits of a client id that name its key. */
    public static final int KEY_ID_BITS = 16;
    /** Bits of a client id that are random. */
    public static final int RANDOM_BITS = Long.SIZE - KEY_ID_BITS;
    /** The largest id a client key may have. */
    public static final int MAX_CLIENT_KEY_ID = (1 << KEY_ID_BITS) - 1;

    private static final long RANDOM_MASK = (1L << RANDOM_BITS) - 1;

    private ClientIds()
    {
    }

    /**
     * @param keyId the id of the client key that signs the session's requests, 0 without authentication.
     * @return a fresh, non-zero client id for a session of that key.
     */
    public static long newClientId(final int keyId)
    {
        if (keyId < 0 || keyId > MAX_CLIENT_KEY_ID)
        {
            throw new IllegalArgumentException("client key id " + keyId + " is outside 0.." + MAX_CLIENT_KEY_ID);
        }
        long random;
        do
        {
            random = ThreadLocalRandom.current().nextLong() & RANDOM_MASK;
        }
        while (0 == random);
        return ((long)keyId << RANDOM_BITS) | random;
    }

    /**
     * @param clientId a client id from a request.
     * @return the id of the client key it is bound to.
     */
    public static int keyIdOf(final long clientId)
    {
        return (int)(clientId >>> RANDOM_BITS);
    }

    /**
     * @param clientId a client id from a request.
     * @param keyId    the key that signed the request.
     * @return true if that key may speak for the client id.
     */
    public static boolean isBoundTo(final long clientId, final int keyId)
    {
        return keyIdOf(clientId) == keyId;
    }
}
