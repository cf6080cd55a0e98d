package io.chainkv.client;

import io.chainkv.protocol.codecs.Status;

/**
 * The chain holds as many client sessions as it admits ({@code --max-client-sessions}) and refused this client's first
 * write, which was not applied. Clients that already hold a session go on. Retry later (idle sessions end after the
 * nodes' client session timeout), close clients that are no longer used, or raise the nodes' setting.
 */
public final class SessionsFullException extends ChainKvException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened and what to do.
     */
    public SessionsFullException(final String message)
    {
        super(Status.SESSIONS_FULL, message);
    }
}
