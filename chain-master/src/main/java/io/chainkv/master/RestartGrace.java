package io.chainkv.master;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Times the restart grace of chains every member of which went down ({@link Plan#awaitingRestart()}): from the moment
 * this master first saw a restarted member able to re-form a chain, the others get the grace to come back before the
 * chain is re-formed without them, so it starts from the longest history. Any restarted member holds every
 * acknowledged write, so the grace costs availability, never safety. A master that takes over starts the count again.
 * <p>
 * Used by the master's evaluation thread only.
 */
final class RestartGrace
{
    private final long graceNs;
    private final Map<Integer, Long> epochs = new HashMap<>();
    private final Map<Integer, Long> firstSeenNs = new HashMap<>();

    /**
     * @param graceMs how long to wait for the other members once one restarted member could re-form the chain.
     */
    RestartGrace(final long graceMs)
    {
        this.graceNs = TimeUnit.MILLISECONDS.toNanos(Math.max(0, graceMs));
    }

    /**
     * @param awaiting what the last plan said waits: chain id to the chain epoch.
     * @param nowNs    the monotonic clock now.
     * @return ids of those chains whose grace is over.
     */
    Set<Integer> update(final Map<Integer, Long> awaiting, final long nowNs)
    {
        epochs.keySet().retainAll(awaiting.keySet());
        firstSeenNs.keySet().retainAll(awaiting.keySet());
        final Set<Integer> over = new HashSet<>();
        awaiting.forEach((chainId, epoch) ->
        {
            if (!epoch.equals(epochs.get(chainId)))
            {
                epochs.put(chainId, epoch);
                firstSeenNs.put(chainId, nowNs);
            }
            if (nowNs - firstSeenNs.get(chainId) >= graceNs)
            {
                over.add(chainId);
            }
        });
        return over;
    }
}
