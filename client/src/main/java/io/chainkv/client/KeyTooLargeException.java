package io.chainkv.client;

import io.chainkv.protocol.codecs.Status;

/**
 * A key is longer than the client's or the node's limit. The request was not applied.
 */
public final class KeyTooLargeException extends ChainKvException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened and what the user can do.
     */
    public KeyTooLargeException(final String message)
    {
        super(Status.KEY_TOO_LARGE, message);
    }
}
