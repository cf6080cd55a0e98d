package io.chainkv.node.membership;

/**
 * Decides, for the lease keeper, whether the replication agent has stopped: a thread that died or is stuck in one duty
 * cycle (docs/failures.md, "The replication thread dies or is stuck"). Such a node must give up its place, or the
 * master, which sees only its ZooKeeper session (kept alive by other threads), leaves the chain waiting on it for ever.
 * <p>
 * The agent is stalled when its {@link DutyCycleHeartbeat} is older than the threshold at two checks in a row and did not
 * move between them. One stale reading is not enough: after a pause of the whole process (SIGSTOP, a long GC) the keeper
 * may run before the agent's first cycle and read the beat from before the pause; the agent beats within microseconds
 * of resuming, so the next check, a keeper period later, sees it fresh. A pause of the whole process is the session's
 * business (it expires), not this check's.
 * <p>
 * Not thread-safe: the lease keeper's thread only.
 */
public final class StalledAgentCheck
{
    private final DutyCycleHeartbeat heartbeat;
    private final long thresholdNs;
    private boolean staleBefore;
    private long staleBeatNs;

    /**
     * @param heartbeat   the agent's heartbeat.
     * @param thresholdNs how old a beat may be before it counts as stale; the lease duration, so that a stall is acted
     *                    on within a session timeout (the keeper checks every third of the lease).
     */
    public StalledAgentCheck(final DutyCycleHeartbeat heartbeat, final long thresholdNs)
    {
        if (thresholdNs <= 0)
        {
            throw new IllegalArgumentException("threshold must be positive, was " + thresholdNs + " ns");
        }
        this.heartbeat = heartbeat;
        this.thresholdNs = thresholdNs;
    }

    /**
     * @param nowNs {@link System#nanoTime()}.
     * @return true if the agent is stalled: its beat is stale now and was this same stale beat at the previous check.
     */
    public boolean isStalled(final long nowNs)
    {
        final long beatNs = heartbeat.lastBeatNs();
        if (nowNs - beatNs <= thresholdNs)
        {
            staleBefore = false;
            return false;
        }
        final boolean stalled = staleBefore && beatNs == staleBeatNs;
        staleBefore = true;
        staleBeatNs = beatNs;
        return stalled;
    }

    /**
     * @param nowNs {@link System#nanoTime()}.
     * @return how long ago the agent last beat, in milliseconds, for a log line.
     */
    public long silentMs(final long nowNs)
    {
        return (nowNs - heartbeat.lastBeatNs()) / 1_000_000;
    }
}
