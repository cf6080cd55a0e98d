package io.chainkv.client;

import io.chainkv.protocol.codecs.Status;

/**
 * The chain ended this client's session (it was silent for longer than the nodes' client session timeout, for
 * example a process paused for that long, or it was closed) and refused the write without applying it. The outcome of
 * the session's earlier writes that did not complete is unknown: read those keys before writing them again. The client
 * has already opened a new session for later calls.
 */
public final class SessionExpiredException extends ChainKvException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened and what to do.
     */
    public SessionExpiredException(final String message)
    {
        super(Status.SESSION_EXPIRED, message);
    }

    /**
     * @return true: the session's earlier unanswered writes may or may not have been applied.
     */
    public boolean outcomeUnknown()
    {
        return true;
    }
}
