package io.chainkv.node.membership;

/**
 * What the data path tells the master through the node's registration: the facts only the replication thread can
 * establish, written by it and published by the membership thread (docs/healing.md).
 * <ul>
 *     <li>as joiner, the chain epoch in which it caught up with the tail (the master's cue to promote it);</li>
 *     <li>as predecessor of a provisional tail, the chain epoch in which it saw that tail hold everything it had
 *     acknowledged as tail: the handoff, proven by the giver (docs/design.md, invariant 9);</li>
 *     <li>as member, the chain epoch in which its predecessor told it that the updates it lacks are no longer held,
 *     so only a new transfer can bring it up to date;</li>
 *     <li>as joiner, that its store is too small for the chain's data (it then registers as draining);</li>
 *     <li>the chain epoch whose configuration it has adopted: a leaving member answers no reads from then on, which is
 *     what the master waits for before it removes it (docs/design.md, invariant 10).</li>
 * </ul>
 * Thread-safe: one writer (the replication agent), any number of readers.
 */
public final class MembershipReport
{
    private volatile long caughtUpEpoch;
    private volatile long handoffEpoch;
    private volatile long needsTransferEpoch;
    private volatile boolean cannotHoldChainData;
    private volatile long adoptedEpoch;

    /**
     * @return the chain epoch in which this node, as joiner, caught up with the tail; 0 if it has not.
     */
    public long caughtUpEpoch()
    {
        return caughtUpEpoch;
    }

    /**
     * @param epoch the chain epoch in which this node, as joiner, caught up; 0 to withdraw the claim.
     */
    public void caughtUpEpoch(final long epoch)
    {
        caughtUpEpoch = epoch;
    }

    /**
     * @return the chain epoch in which this node proved the handoff to its provisional successor; 0 if it has not.
     */
    public long handoffEpoch()
    {
        return handoffEpoch;
    }

    /**
     * @param epoch the chain epoch in which this node saw its provisional successor hold everything it acknowledged.
     */
    public void handoffEpoch(final long epoch)
    {
        handoffEpoch = epoch;
    }

    /**
     * @return the chain epoch in which this member learnt it needs a new transfer; 0 if it has not.
     */
    public long needsTransferEpoch()
    {
        return needsTransferEpoch;
    }

    /**
     * @param epoch the chain epoch in which this member's predecessor told it that it no longer holds what it lacks.
     */
    public void needsTransferEpoch(final long epoch)
    {
        needsTransferEpoch = epoch;
    }

    /**
     * @return the chain epoch whose configuration the data path has adopted; 0 before the first.
     */
    public long adoptedEpoch()
    {
        return adoptedEpoch;
    }

    /**
     * @param epoch the chain epoch whose configuration the data path has just adopted.
     */
    public void adoptedEpoch(final long epoch)
    {
        adoptedEpoch = epoch;
    }

    /**
     * @return true once this node, as joiner, found its store too small for the chain's data.
     */
    public boolean cannotHoldChainData()
    {
        return cannotHoldChainData;
    }

    /**
     * Records, for good, that this node cannot hold the chain's data.
     */
    public void cannotHoldChainData(final boolean cannot)
    {
        cannotHoldChainData = cannot;
    }
}
