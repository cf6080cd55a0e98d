package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;

import java.util.SplittableRandom;

/**
 * One kind of fault the schedule injects into a running cluster.
 * <p>
 * A nemesis must leave the cluster able to serve: with the current code a node spliced out of the chain does not
 * come back into it (state transfer is not built yet), so a fault that may splice a member out picks one only
 * while {@link Targets#mayLoseMember} allows it, and otherwise picks a spare, a shorter fault, or nothing.
 */
public interface Nemesis
{
    /**
     * @return the name in reports, e.g. "kill-node".
     */
    String name();

    /**
     * @param cluster the cluster.
     * @param random  the schedule's random source (so a seed reproduces the schedule's choices).
     * @return the fault now in place, or null if none fits the cluster as it is.
     */
    Fault inject(FaultCluster cluster, SplittableRandom random);
}
