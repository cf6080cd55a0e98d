package io.chainkv.node.membership;

/**
 * The node's right to answer reads and acknowledge writes, on the monotonic clock (docs/design.md, invariant 6).
 * <p>
 * Whoever watches the ZooKeeper session renews the lease with the time at which a round trip to ZooKeeper
 * <em>started</em> and succeeded; the lease then runs for a safe fraction of the session timeout from that
 * instant. ZooKeeper cannot expire the session, and so the master cannot replace this node, sooner than a
 * full session timeout after that contact, so while the lease is valid no other node can be serving this
 * node's role. The data path checks {@link #isValid(long)} itself on every decision, so a process resumed
 * from a long pause refuses requests queued while it slept even before its ZooKeeper thread notices.
 * <p>
 * Thread-safe: one writer (the session watcher), any number of readers.
 */
public final class SessionLease
{
    private static final long NEVER_EXPIRES = Long.MAX_VALUE;

    private final long durationNs;
    private volatile long expiresAtNs;

    private SessionLease(final long durationNs, final long expiresAtNs)
    {
        this.durationNs = durationNs;
        this.expiresAtNs = expiresAtNs;
    }

    /**
     * @param durationNs how long a confirmed contact keeps the lease valid; a safe fraction of the session
     *                   timeout.
     * @return a lease that is not valid until first renewed.
     */
    public static SessionLease of(final long durationNs)
    {
        if (durationNs <= 0)
        {
            throw new IllegalArgumentException("lease duration must be positive, was " + durationNs + " ns");
        }
        return new SessionLease(durationNs, System.nanoTime() - 1);
    }

    /**
     * @return a lease that is always valid: for a chain with a static configuration and no ZooKeeper, where
     * no one can replace the node anyway.
     */
    public static SessionLease unbounded()
    {
        return new SessionLease(NEVER_EXPIRES, NEVER_EXPIRES);
    }

    /**
     * Extends the lease after a successful contact with ZooKeeper.
     *
     * @param contactStartNs {@link System#nanoTime()} taken before the request that succeeded was sent.
     */
    public void renew(final long contactStartNs)
    {
        if (NEVER_EXPIRES == durationNs)
        {
            return;
        }
        final long candidate = contactStartNs + durationNs;
        if (candidate - expiresAtNs > 0)
        {
            expiresAtNs = candidate;
        }
    }

    /**
     * Ends the lease now, e.g. when Curator reports the connection SUSPENDED or LOST.
     */
    public void revoke()
    {
        if (NEVER_EXPIRES != durationNs)
        {
            expiresAtNs = System.nanoTime() - 1;
        }
    }

    /**
     * @param nowNs {@link System#nanoTime()}.
     * @return true while the node may answer reads and acknowledge writes.
     */
    public boolean isValid(final long nowNs)
    {
        final long expires = expiresAtNs;
        return NEVER_EXPIRES == expires || nowNs - expires < 0;
    }

    /**
     * @return false for {@link #unbounded()}: a static chain, whose configuration no master changes.
     */
    public boolean isBounded()
    {
        return NEVER_EXPIRES != durationNs;
    }

    /**
     * @return the lease duration in nanoseconds.
     */
    public long durationNs()
    {
        return durationNs;
    }
}
