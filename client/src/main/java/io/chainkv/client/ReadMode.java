package io.chainkv.client;

/**
 * What a read may answer, and so which members may answer it. docs/reads.md explains each mode and its cost.
 * <p>
 * Every member of the chain answers reads (CRAQ). A member answers a key whose newest version it holds is committed
 * at once; for a key with a write in flight it either asks the tail which version is committed (linearizable) or
 * answers its newest committed version (session modes).
 */
public enum ReadMode
{
    /**
     * The default: the newest committed value, as if read at the tail at some instant during the call. Reads are
     * spread over every serving member.
     */
    LINEARIZABLE,

    /**
     * Classic chain replication: only the tail answers. Linearizable like {@link #LINEARIZABLE}, but all read load
     * falls on one node.
     */
    TAIL,

    /**
     * The answer reflects at least every write this client has had acknowledged (and every version it has read), but
     * may be older than writes of other clients that completed before the call. Any member whose commit point has
     * reached the client's session token answers from its newest committed version without asking the tail; one
     * behind it answers linearizably instead.
     */
    READ_YOUR_WRITES,

    /**
     * Successive reads of this client never go back in time: each reflects at least the newest version the client
     * has seen. Served as {@link #READ_YOUR_WRITES} (the session token also covers the client's own writes).
     */
    MONOTONIC,

    /**
     * Any committed version a member holds, possibly old; never a version the tail has not committed. The cheapest
     * read: no member asks the tail.
     */
    EVENTUAL;

    /**
     * @return true if the read carries the client's session token.
     */
    boolean usesSessionToken()
    {
        return READ_YOUR_WRITES == this || MONOTONIC == this;
    }

    io.chainkv.protocol.codecs.ReadMode wireValue()
    {
        switch (this)
        {
            case TAIL:
                return io.chainkv.protocol.codecs.ReadMode.TAIL;
            case READ_YOUR_WRITES:
                return io.chainkv.protocol.codecs.ReadMode.READ_YOUR_WRITES;
            case MONOTONIC:
                return io.chainkv.protocol.codecs.ReadMode.MONOTONIC;
            case EVENTUAL:
                return io.chainkv.protocol.codecs.ReadMode.EVENTUAL;
            default:
                return io.chainkv.protocol.codecs.ReadMode.LINEARIZABLE;
        }
    }
}
