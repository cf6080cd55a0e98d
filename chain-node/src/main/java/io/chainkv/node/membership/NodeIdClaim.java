package io.chainkv.node.membership;

import io.chainkv.cluster.NodeRegistration;

import java.util.concurrent.TimeUnit;

/**
 * Claims a node id for one registration: registers at once if the id is free, waits while a holder may be this node's
 * own previous run (killed, its session not expired yet), and calls the id taken once the holder's registration has
 * outlived its session timeout, which only a live session's can.
 * <p>
 * The holder's session timeout comes from its registration ({@code sessionTimeoutMs}); the wait is twice that plus
 * half a second, so tick rounding and a busy ensemble do not make a dead holder look alive. Nothing is written while the
 * id is held: the holder is never disturbed.
 */
public final class NodeIdClaim
{
    /** What an attempt found. */
    public enum Outcome
    {
        /** The registration holds the id now. */
        REGISTERED,
        /** Another session holds it, maybe a dead one: try again later. */
        WAITING,
        /** A live process holds it: give up and say so ({@link #takenMessage()}). */
        TAKEN
    }

    private static final long GRACE_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final NodeRegistration registration;
    private final int ownSessionTimeoutMs;
    private long holderSession;
    private long holderDeadlineNs;
    private String holderText;

    /**
     * @param registration        the registration to create.
     * @param ownSessionTimeoutMs this node's session timeout: assumed for a holder whose registration records none.
     */
    public NodeIdClaim(final NodeRegistration registration, final int ownSessionTimeoutMs)
    {
        this.registration = registration;
        this.ownSessionTimeoutMs = ownSessionTimeoutMs;
    }

    /**
     * One attempt.
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return what it found.
     * @throws Exception on a ZooKeeper error (try again).
     */
    public Outcome attempt(final long nowNs) throws Exception
    {
        final NodeRegistration.Holder holder = registration.register();
        if (null == holder)
        {
            return Outcome.REGISTERED;
        }
        if (holder.sessionId() != holderSession || null == holderText)
        {
            holderSession = holder.sessionId();
            final int holderTimeoutMs = null != holder.info() && holder.info().sessionTimeoutMs() > 0 ?
                holder.info().sessionTimeoutMs() : ownSessionTimeoutMs;
            holderDeadlineNs = nowNs + 2 * TimeUnit.MILLISECONDS.toNanos(holderTimeoutMs) + GRACE_NS;
            holderText = holder.describe() + ", session timeout " + holderTimeoutMs + " ms";
            return Outcome.WAITING;
        }
        return nowNs - holderDeadlineNs > 0 ? Outcome.TAKEN : Outcome.WAITING;
    }

    /**
     * @return who holds the id, for a log line; null before an attempt found it held.
     */
    public String holder()
    {
        return holderText;
    }

    /**
     * @return the sentence for an operator once an attempt returned {@link Outcome#TAKEN}.
     */
    public String takenMessage()
    {
        final String nodeId = registration.info().nodeId();
        return "node id " + nodeId + " is already registered by another live process (" + holderText + "): its " +
            "registration outlived that session timeout twice over, so its session is alive. Two processes must never " +
            "share a node id. Stop the other process first if this one is to replace it, or start this one with another " +
            "--node-id (and its own --data-dir)";
    }
}
