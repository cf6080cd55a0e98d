package io.chainkv.client;

import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.Status;

/**
 * Builds the client's exceptions with messages that say what happened and what the user can do. Kept in
 * one place so the wording stays consistent between the client-side checks and the nodes' answers.
 */
final class Failures
{
    private Failures()
    {
    }

    static boolean isWrite(final OpType op)
    {
        return OpType.GET != op;
    }

    static KeyTooLargeException keyTooLarge(final int length, final int limit)
    {
        return new KeyTooLargeException("key of " + length + " bytes is longer than the limit of " + limit +
            " bytes; nothing was sent. Use a shorter key (or hash long keys), or raise the client's and the " +
            "nodes' key limit together.");
    }

    static ValueTooLargeException valueTooLarge(final int length, final int limit)
    {
        return new ValueTooLargeException("value of " + length + " bytes is longer than the limit of " + limit +
            " bytes; nothing was sent. Split the value over several keys, or raise the client's and the " +
            "nodes' value limit together.");
    }

    /**
     * @return the exception for a final, non-success status from a node, or null if the status is not final.
     */
    static ChainKvException fromStatus(
        final OpType op, final long requestSeq, final Status status, final String detail, final long expectedVersion,
        final long version)
    {
        final String node = " (node said: " + (null == detail || detail.isEmpty() ? "no detail" : detail) + ")";
        switch (status)
        {
            case VERSION_MISMATCH:
                return new VersionMismatchException(expectedVersion, version, "compare-and-set expected version " +
                    describeVersion(expectedVersion) + " but the key has version " + describeVersion(version) +
                    "; nothing was written. Read the key again and retry with its current version" + node);

            case KEY_TOO_LARGE:
                return new KeyTooLargeException(op + " refused by the node: key too large; nothing was applied. " +
                    "Use a shorter key; the node's limit may be lower than the client's" + node);

            case VALUE_TOO_LARGE:
                return new ValueTooLargeException(op + " refused by the node: value too large; nothing was applied. " +
                    "Use a smaller value; the node's limit may be lower than the client's" + node);

            case STORE_FULL:
                return new StoreFullException(op + " refused: the chain's store is full; nothing was written. " +
                    "Delete keys or add capacity to the nodes, then retry" + node);

            case MALFORMED:
                return new ProtocolException(status, op + " request " + requestSeq + " was rejected as malformed; " +
                    "check that client and node run compatible versions" + node);

            case WRONG_CLUSTER:
                return new ProtocolException(status, op + " request " + requestSeq + " reached a node of another " +
                    "cluster; check cluster.name and the member endpoints in the client's configuration" + node);

            case WRONG_CHAIN:
                return new ProtocolException(status, op + " request " + requestSeq + " reached a node that does " +
                    "not serve this chain; check chain.id and the member endpoints in the client's configuration" +
                    node);

            case SESSIONS_FULL:
                return new SessionsFullException(op + " refused: the chain holds as many client sessions as it admits " +
                    "and this client has none yet; nothing was written. Retry later, close clients you no longer " +
                    "use, or raise the nodes' --max-client-sessions" + node);

            case SESSION_EXPIRED:
                return new SessionExpiredException(op + " request " + requestSeq + " refused: the chain ended this " +
                    "client's session (silent for longer than the nodes' --client-session-timeout-ms, or closed); " +
                    "this attempt was not applied, but whether this or earlier unanswered writes of the session were " +
                    "applied before it ended is unknown. Read those keys before writing them again; the client " +
                    "already uses a new session for later calls" + node);

            case REQUEST_TOO_OLD:
                return new ProtocolException(status, op + " request " + requestSeq + " is older than the node's " +
                    "exactly-once window, so the node cannot tell whether it was applied" +
                    (isWrite(op) ? "; read the key to find out before writing again" : "; retry the read") + node);

            default:
                return null;
        }
    }

    static ProtocolException unexpectedAnswer(final OpType op, final long requestSeq, final String what)
    {
        return new ProtocolException(Status.MALFORMED, op + " request " + requestSeq + " got an answer this " +
            "client does not understand (" + what + "); check that client and node run compatible versions.");
    }

    static UnavailableException unavailable(
        final OpType op, final long requestSeq, final long elapsedMs, final int attempts, final Status lastStatus,
        final String lastDetail)
    {
        return new UnavailableException(lastStatus, isWrite(op), op + " request " + requestSeq + " failed after " +
            attempts + " attempt(s) in " + elapsedMs + " ms; the last answer was " + lastStatus +
            (null == lastDetail || lastDetail.isEmpty() ? "" : " (" + lastDetail + ")") +
            ": the chain is busy, reconfiguring or down. " + outcomeAdvice(op));
    }

    static RequestTimeoutException timeout(final OpType op, final long requestSeq, final long elapsedMs, final int attempts)
    {
        return new RequestTimeoutException(isWrite(op), op + " request " + requestSeq + " got no answer to " +
            attempts + " attempt(s) in " + elapsedMs + " ms: the " + (isWrite(op) ? "head" : "tail") +
            " may be down or unreachable, the configuration out of date, or this client's key one the nodes do not " +
            "hold (they drop such frames unread and count them in 'unauthenticated frames dropped'). " +
            outcomeAdvice(op));
    }

    static UnavailableException closed(final OpType op, final long requestSeq)
    {
        return new UnavailableException(null, isWrite(op), op + " request " + requestSeq +
            " did not complete: the client was closed. " + outcomeAdvice(op));
    }

    private static String outcomeAdvice(final OpType op)
    {
        return isWrite(op) ?
            "The write may or may not have been applied: read the key before writing it again." :
            "Nothing was changed; the read can be retried.";
    }

    private static String describeVersion(final long version)
    {
        return 0 == version ? "0 (absent)" : Long.toString(version);
    }
}
