package io.chainkv.node.replication;

import io.chainkv.node.store.ClientTable;

import java.util.Arrays;

/**
 * The head's clock for client sessions: when each session of the {@link ClientTable} was last heard from (a write, a
 * retry or a keepalive), and which ones have been silent for longer than the session timeout.
 * <p>
 * Not replicated state: only the head decides expiry, and its decision travels down the chain as a {@code SESSION_END}
 * update, so every replica ends the session at the same seq (docs/design.md, invariant 11). A node that becomes head
 * does not know when its predecessor last heard from each client, so it starts every session's lease afresh
 * ({@link #renewAll}); a session then lives at most one timeout longer than it would have.
 * <p>
 * Indexed by the table's session index; no allocation after construction; the replication agent's thread only.
 */
final class SessionLeases
{
    private final long[] lastHeardNs;
    private final long timeoutNs;
    private int cursor;

    /**
     * @param sessionIndices how many session indices the table may use.
     * @param timeoutNs      how long a session may be silent before the head ends it.
     */
    SessionLeases(final int sessionIndices, final long timeoutNs)
    {
        this.lastHeardNs = new long[sessionIndices];
        this.timeoutNs = timeoutNs;
    }

    /**
     * @return how long a session may be silent before the head ends it.
     */
    long timeoutNs()
    {
        return timeoutNs;
    }

    /**
     * The client of the session at {@code session} was heard from.
     */
    void touch(final int session, final long nowNs)
    {
        if (session >= 0 && session < lastHeardNs.length)
        {
            lastHeardNs[session] = nowNs;
        }
    }

    /**
     * Starts every session's lease at {@code nowNs}: on becoming head.
     */
    void renewAll(final long nowNs)
    {
        Arrays.fill(lastHeardNs, nowNs);
    }

    /**
     * Finds the next session, from where the last call stopped, that has been silent for longer than the timeout,
     * looking at no more than {@code limit} indices.
     *
     * @return the client id of an expired session, or 0 if none was found among the indices looked at.
     */
    long nextExpired(final ClientTable table, final long nowNs, final int limit)
    {
        final int indices = Math.min(table.sessionIndexLimit(), lastHeardNs.length);
        if (0 == indices)
        {
            return 0;
        }
        for (int i = 0; i < limit && i < indices; i++)
        {
            if (cursor >= indices)
            {
                cursor = 0;
            }
            final int session = cursor++;
            final long owner = table.sessionOwner(session);
            if (0 != owner && nowNs - lastHeardNs[session] > timeoutNs)
            {
                return owner;
            }
        }
        return 0;
    }
}
