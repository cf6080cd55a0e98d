package io.chainkv.security;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * Picks the key a node signs an answer to a client with: the client key its client id is bound to ({@link ClientIds}),
 * so an application given only its own key can check the answers (docs/security.md, "Per-client keys"). A client id
 * bound to no key of the ring (authentication was off when it was made, or a key was revoked since) is answered under
 * the first client key; its holder cannot check that answer unless it holds that key too.
 * <p>
 * Not thread safe: each sending thread has its own, from {@link KeyRing#clientReplySigners()}.
 */
public final class ClientReplySigners
{
    private final Int2ObjectHashMap<FrameSigner> byKeyId = new Int2ObjectHashMap<>();
    private FrameSigner first;

    ClientReplySigners()
    {
    }

    void add(final FrameSigner signer)
    {
        byKeyId.put(signer.keyId(), signer);
        if (null == first)
        {
            first = signer;
        }
    }

    /**
     * @param clientId the client id of the request being answered.
     * @return the signer of answers to it.
     */
    public FrameSigner forClient(final long clientId)
    {
        final FrameSigner signer = byKeyId.get(ClientIds.keyIdOf(clientId));
        return null != signer ? signer : first;
    }
}
