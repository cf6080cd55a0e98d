package io.chainkv.protocol;

/**
 * Limits that clients and nodes must agree on.
 */
public final class ProtocolLimits
{
    /**
     * Exactly-once window: a client never has more than this many requests in flight, so a node that
     * remembers the outcome of each client's last {@code EXACTLY_ONCE_WINDOW} writes can recognise any
     * retry. Request {@code r + EXACTLY_ONCE_WINDOW} is sent only after request {@code r} completed.
     */
    public static final int EXACTLY_ONCE_WINDOW = 512;

    /** Default largest key, in bytes. */
    public static final int DEFAULT_MAX_KEY_LENGTH = 1024;

    /** Default largest value, in bytes. */
    public static final int DEFAULT_MAX_VALUE_LENGTH = 1024 * 1024;

    /** Bytes a request or update adds to its key and value (header, fixed fields, reply channel). */
    public static final int MAX_ENVELOPE_LENGTH = 1024;

    private ProtocolLimits()
    {
    }
}
