package io.chainkv.client;

/**
 * No answer arrived for any attempt of a request before its deadline.
 * <p>
 * For a write the outcome is unknown: it may have been applied. Read the key before writing again.
 */
public final class RequestTimeoutException extends ChainKvException
{
    private static final long serialVersionUID = 1L;

    private final boolean outcomeUnknown;

    /**
     * @param outcomeUnknown true if the request was a write that may have been applied.
     * @param message        what happened and what the user can do.
     */
    public RequestTimeoutException(final boolean outcomeUnknown, final String message)
    {
        super(null, message);
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
