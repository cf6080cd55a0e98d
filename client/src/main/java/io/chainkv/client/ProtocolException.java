package io.chainkv.client;

import io.chainkv.protocol.codecs.Status;

/**
 * The node refused the request as not meant for it or not understood: {@code MALFORMED},
 * {@code WRONG_CLUSTER}, {@code WRONG_CHAIN} or {@code REQUEST_TOO_OLD}; also raised when a node answers
 * with something this client does not understand. Retrying the same request will not help: the message
 * says what to check (usually the configuration, or client and node versions).
 */
public final class ProtocolException extends ChainKvException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param status  the node's status.
     * @param message what happened and what the user can do.
     */
    public ProtocolException(final Status status, final String message)
    {
        super(status, message);
    }
}
