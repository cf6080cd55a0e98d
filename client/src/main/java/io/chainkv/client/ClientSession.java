package io.chainkv.client;

import io.chainkv.security.ClientIds;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's session with the chain: the id its requests carry ({@code clientId} on the wire), under which the
 * chain's exactly-once table remembers the outcomes of its writes (docs/client.md, "Sessions").
 * <p>
 * A session opens with its first write the head sequences: until one of its writes is answered, a write none of whose
 * attempts can have been applied tells the head it may open the session ({@link #mayOpen}); any other write of a
 * session the head does not know is answered SESSION_EXPIRED and never applied again. The receiver thread then {@link #renew}s the session: later calls carry a
 * new id and open a new session. The client keeps its session alive with keepalives while it is idle, and closes it
 * when it closes.
 * <p>
 * Session ids are bound to the client key that signs the session's requests ({@link ClientIds}): a node drops a request
 * of a session of another key.
 * <p>
 * Thread-safe: callers read it, the receiver thread changes it.
 */
final class ClientSession
{
    private final int keyId;
    private final AtomicLong id = new AtomicLong();
    private volatile boolean opened;
    private volatile long lastWriteSentNs;

    /**
     * @param keyId the id of the client key that signs requests, 0 without authentication.
     */
    ClientSession(final int keyId)
    {
        this.keyId = keyId;
        id.set(newId());
    }

    /**
     * @return the id requests started now carry.
     */
    long id()
    {
        return id.get();
    }

    /**
     * @return whether a write of the current session has been answered, so the chain holds the session.
     */
    boolean isOpen()
    {
        return opened;
    }

    /**
     * @param sessionId the session a write belongs to.
     * @return whether the write may open the session at the head: it belongs to the current session and no write of it
     * has been answered yet.
     */
    boolean mayOpen(final long sessionId)
    {
        return !opened && sessionId == id.get();
    }

    /**
     * A write of {@code sessionId} was sequenced (the head answered it through the chain): the chain holds the session.
     */
    void opened(final long sessionId)
    {
        if (!opened && sessionId == id.get())
        {
            opened = true;
        }
    }

    /**
     * The chain ended {@code sessionId}: calls started from now on carry a new id and open a new session. Requests of
     * the old session that are still in flight keep its id and are answered SESSION_EXPIRED in their turn.
     */
    void renew(final long sessionId)
    {
        if (id.compareAndSet(sessionId, newId()))
        {
            opened = false;
        }
    }

    /**
     * @param nowNs when a write of the session was last sent.
     */
    void writeSent(final long nowNs)
    {
        lastWriteSentNs = nowNs;
    }

    /**
     * @return when a write of the session was last sent ({@link System#nanoTime()}).
     */
    long lastWriteSentNs()
    {
        return lastWriteSentNs;
    }

    private long newId()
    {
        return ClientIds.newClientId(keyId);
    }
}
