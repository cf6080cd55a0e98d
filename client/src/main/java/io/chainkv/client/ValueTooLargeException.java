package io.chainkv.client;

import io.chainkv.protocol.codecs.Status;

/**
 * A value is longer than the client's or the node's limit. The request was not applied.
 */
public final class ValueTooLargeException extends ChainKvException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened and what the user can do.
     */
    public ValueTooLargeException(final String message)
    {
        super(Status.VALUE_TOO_LARGE, message);
    }
}
