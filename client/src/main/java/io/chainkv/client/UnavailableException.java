package io.chainkv.client;

import io.chainkv.protocol.codecs.Status;

/**
 * The chain kept answering with a retryable status (not head, not tail, stale epoch, busy, unavailable)
 * until the request's deadline passed, or the client was closed with the request in flight.
 * <p>
 * For a write the outcome is unknown: it may have been applied. Read the key before writing again.
 */
public final class UnavailableException extends ChainKvException
{
    private static final long serialVersionUID = 1L;

    private final boolean outcomeUnknown;

    /**
     * @param status         the last retryable status seen, or null (client closed).
     * @param outcomeUnknown true if the request was a write that may have been applied.
     * @param message        what happened and what the user can do.
     */
    public UnavailableException(final Status status, final boolean outcomeUnknown, final String message)
    {
        super(status, message);
        this.outcomeUnknown = outcomeUnknown;
    }

    /**
     * @return true if the request was a write that may or may not have been applied.
     */
    public boolean outcomeUnknown()
    {
        return outcomeUnknown;
    }
}
