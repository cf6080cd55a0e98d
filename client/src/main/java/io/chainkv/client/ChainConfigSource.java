package io.chainkv.client;

import io.chainkv.config.ChainConfig;

/**
 * Where the client learns the chain's current configuration (epoch, head, tail).
 * <p>
 * The client calls {@link #current()} for every attempt of every request, so an implementation must make
 * it cheap (return a field). When a node says the client's view is old (not head, not tail, stale epoch,
 * or a newer epoch in a response) or a node stops answering, the client calls {@link #requestRefresh()};
 * a ZooKeeper-backed implementation re-reads its znode in the background, a static one ignores it.
 */
public interface ChainConfigSource
{
    /**
     * @return the newest configuration known; never null.
     */
    ChainConfig current();

    /**
     * Asks for the configuration to be re-read because the client suspects it is out of date. Must not
     * block: it is called from the client's receiver thread.
     */
    default void requestRefresh()
    {
    }
}
