package io.chainkv.node.membership;

/**
 * Decides which confirmed contacts with ZooKeeper renew the {@link SessionLease} (docs/design.md, "Leases: the timing
 * argument").
 * <ul>
 *     <li>A contact counts only if it is evidence the ZooKeeper leader ordered (the lease keeper's sync and read) and
 *     it was made on the session this renewal is bound to: the session of the node's current incarnation. A lease never
 *     survives into a new session: {@link #bind(long)} revokes it, and contacts of any other session are ignored.</li>
 *     <li>A contact renews only as a link of a chain: the lease runs to {@code min(start + lease, previous start +
 *     5/3 lease)}, where {@code previous} is the previous confirmed contact on the same session. So while contacts start
 *     at most {@link #maxGapNs()} (two thirds of the lease, a third of the session) apart the lease is a full one from
 *     each; a later contact gives less, down to nothing. The first contact after a bind, a failed probe or a lost
 *     connection only starts a new chain. The previous contact is what bounds, for an ensemble, how long the leader can
 *     have gone without hearing of this node when it ordered this one: the session cannot expire before {@code previous
 *     start + session timeout}, a sixth of the session after the lease ends; the design doc has the argument.</li>
 * </ul>
 * Thread-safe: the lease keeper confirms, the connection listener breaks the chain.
 */
public final class LeaseRenewal
{
    /** No session bound yet. */
    public static final long NO_SESSION = 0;

    private final SessionLease lease;
    private final long maxGapNs;
    private long sessionId = NO_SESSION;
    private long previousContactNs;
    private boolean chained;

    /**
     * @param lease the lease to renew; bounded.
     */
    public LeaseRenewal(final SessionLease lease)
    {
        if (!lease.isBounded())
        {
            throw new IllegalArgumentException("an unbounded lease is never renewed");
        }
        this.lease = lease;
        this.maxGapNs = 2 * lease.durationNs() / 3;
    }

    /**
     * Binds renewals to a session, the one the node's current incarnation registered on. The lease is revoked: whatever
     * was proven on an earlier session proves nothing now.
     *
     * @param sessionId the ZooKeeper session id.
     */
    public synchronized void bind(final long sessionId)
    {
        this.sessionId = sessionId;
        chained = false;
        lease.revoke();
    }

    /**
     * @return the session renewals are bound to; {@link #NO_SESSION} before the first bind.
     */
    public synchronized long sessionId()
    {
        return sessionId;
    }

    /**
     * A contact the leader ordered succeeded.
     *
     * @param sessionId      the session it was made on.
     * @param contactStartNs {@link System#nanoTime()} taken before the request was sent.
     * @return true if the lease was renewed for a full lease from {@code contactStartNs} (false: not at all, or less).
     */
    public synchronized boolean confirmed(final long sessionId, final long contactStartNs)
    {
        if (NO_SESSION == sessionId || sessionId != this.sessionId)
        {
            return false;
        }
        final long gapNs = contactStartNs - previousContactNs;
        final boolean renews = chained && gapNs > 0;
        final long previous = previousContactNs;
        previousContactNs = contactStartNs;
        chained = true;
        if (renews)
        {
            // Lease end = min(start + lease, previous + 5/3 lease): SessionLease adds one lease to what it is given.
            lease.renew(gapNs <= maxGapNs ? contactStartNs : previous + maxGapNs);
        }
        return renews && gapNs <= maxGapNs;
    }

    /**
     * A probe failed, or nothing may be renewed now: the next confirmed contact only starts a new chain. The lease runs
     * out by itself.
     */
    public synchronized void broken()
    {
        chained = false;
    }

    /**
     * The connection is SUSPENDED or LOST: the lease ends now and the chain is broken.
     */
    public synchronized void revoke()
    {
        chained = false;
        lease.revoke();
    }

    /**
     * @return the largest gap between the starts of two chained contacts that still renews a full lease.
     */
    public long maxGapNs()
    {
        return maxGapNs;
    }
}
