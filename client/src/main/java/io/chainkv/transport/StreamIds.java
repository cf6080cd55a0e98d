package io.chainkv.transport;

/**
 * The Aeron stream ids ChainKV uses: one per purpose, all on a process's single UDP endpoint.
 */
public final class StreamIds
{
    /** Requests from clients to a node (writes to the head, reads to the tail). */
    public static final int CLIENT_REQUEST = 1001;

    /** Updates from a node to its successor. */
    public static final int REPLICATION = 1002;

    /** Acks and resend requests from a node to its predecessor. */
    public static final int FEEDBACK = 1003;

    /** Responses from a node to a client's reply endpoint. */
    public static final int CLIENT_REPLY = 1004;

    private StreamIds()
    {
    }
}
