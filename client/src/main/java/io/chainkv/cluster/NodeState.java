package io.chainkv.cluster;

/**
 * What a registered node says it is doing. The master reads it; the node changes it.
 */
public enum NodeState
{
    /** Registered, holding no chain position yet or still catching up; may be given a place at a tail. */
    JOINING,

    /** A member of a chain, serving it. */
    SERVING,

    /** About to leave: finishing what it has, and never to be given a new position. */
    DRAINING,

    /**
     * A backup taker: it may be given a chain's joiner place when no spare needs it, receives the tail's state like
     * a joiner, and is never made a member.
     */
    BACKUP
}
