package io.chainkv.client;

import io.chainkv.protocol.codecs.Status;

/**
 * The chain's store has no room for a new entry. The write was not applied; deleting entries or adding
 * capacity on the nodes makes room.
 */
public final class StoreFullException extends ChainKvException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened and what the user can do.
     */
    public StoreFullException(final String message)
    {
        super(Status.STORE_FULL, message);
    }
}
