package io.chainkv.client;

import io.chainkv.protocol.codecs.Status;

/**
 * Base of every failure the ChainKV client reports.
 * <p>
 * Carries the {@link Status} a node answered with, or the status the client applied on its own behalf
 * (for example a size check before sending), or null when there is no status (a timeout, a closed client).
 * Subclasses say what went wrong; the message says what to do about it.
 */
public class ChainKvException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final Status status;

    /**
     * @param status  the node's status, or null.
     * @param message what happened and what the user can do.
     */
    public ChainKvException(final Status status, final String message)
    {
        super(message);
        this.status = status;
    }

    /**
     * @param status  the node's status, or null.
     * @param message what happened and what the user can do.
     * @param cause   the underlying failure.
     */
    public ChainKvException(final Status status, final String message, final Throwable cause)
    {
        super(message, cause);
        this.status = status;
    }

    /**
     * @return the status the failure stands for, or null if none applies (timeout, closed client).
     */
    public Status status()
    {
        return status;
    }
}
