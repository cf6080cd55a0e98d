package io.chainkv.master;

import io.chainkv.cluster.ClusterConfig;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What {@link ChainPlanner} decided: the next configuration to write, if any, and what an operator should know
 * about the current one (chains that cannot serve, a bootstrap still waiting for nodes).
 */
public final class Plan
{
    private final ClusterConfig next;
    private final List<String> notes;
    private final Map<Integer, Long> awaitingRestart;

    /**
     * @param next  configuration to write, or null to leave the current one.
     * @param notes human-readable remarks, possibly empty.
     */
    public Plan(final ClusterConfig next, final List<String> notes)
    {
        this(next, notes, Map.of());
    }

    /**
     * @param next            configuration to write, or null to leave the current one.
     * @param notes           human-readable remarks, possibly empty.
     * @param awaitingRestart chains every member of which went down and that a restarted member could re-form once
     *                        the restart grace is over: chain id to the chain epoch the grace is for.
     */
    public Plan(final ClusterConfig next, final List<String> notes, final Map<Integer, Long> awaitingRestart)
    {
        this.next = next;
        this.notes = Collections.unmodifiableList(notes);
        this.awaitingRestart = Map.copyOf(awaitingRestart);
    }

    /**
     * @return chains waiting out the restart grace: chain id to the chain epoch the grace is for. The master times the
     * grace and tells the planner, on a later evaluation, which chains' grace is over.
     */
    public Map<Integer, Long> awaitingRestart()
    {
        return awaitingRestart;
    }

    /**
     * @return true if there is a configuration to write.
     */
    public boolean changes()
    {
        return null != next;
    }

    /**
     * @return the configuration to write, or null if none.
     */
    public ClusterConfig next()
    {
        return next;
    }

    /**
     * @return remarks for the log, e.g. "chain 0 is unavailable: ...".
     */
    public List<String> notes()
    {
        return notes;
    }

    public String toString()
    {
        return (changes() ? "write " + next : "no change") + (notes.isEmpty() ? "" : " " + notes);
    }
}
