package io.chainkv.faults.history;

import java.util.Objects;

/**
 * One operation of a history: who invoked what on which key, when it was invoked and completed (nanoseconds of
 * the recorder's monotonic clock), and what came back.
 * <p>
 * Result fields by type, for {@link Outcome#OK}:
 * <ul>
 * <li>GET: {@code value} read (null = absent) and its {@code version} (0 when absent);</li>
 * <li>PUT: {@code version} the chain gave the write;</li>
 * <li>CAS: {@code version} of the write, or {@code mismatch} true (nothing written);</li>
 * <li>DELETE: {@code existed}.</li>
 * </ul>
 * For writes, {@code value} is the value written: unique per write, so checkers can tell writes apart.
 */
public final class Operation
{
    /** Completion time of operations whose outcome is unknown: they may take effect at any later time. */
    public static final long NEVER = Long.MAX_VALUE;

    private final long id;
    private final int process;
    private final String key;
    private final OpType type;
    private final String value;
    private final long expectedVersion;
    private final long invokeNs;
    private final long completeNs;
    private final Outcome outcome;
    private final long version;
    private final boolean mismatch;
    private final boolean existed;
    private final String error;

    private Operation(
        final long id,
        final int process,
        final String key,
        final OpType type,
        final String value,
        final long expectedVersion,
        final long invokeNs,
        final long completeNs,
        final Outcome outcome,
        final long version,
        final boolean mismatch,
        final boolean existed,
        final String error)
    {
        this.id = id;
        this.process = process;
        this.key = Objects.requireNonNull(key, "key");
        this.type = Objects.requireNonNull(type, "type");
        this.value = value;
        this.expectedVersion = expectedVersion;
        this.invokeNs = invokeNs;
        this.completeNs = completeNs;
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.version = version;
        this.mismatch = mismatch;
        this.existed = existed;
        this.error = error;
    }

    /**
     * @return an invocation, not completed yet.
     */
    public static Operation invoked(
        final long id,
        final int process,
        final String key,
        final OpType type,
        final String value,
        final long expectedVersion,
        final long invokeNs)
    {
        return new Operation(id, process, key, type, value, expectedVersion, invokeNs, NEVER, Outcome.PENDING, 0,
            false, false, null);
    }

    /** @return this GET completed: read {@code readValue} (null = absent) at {@code readVersion}. */
    public Operation readOk(final long nowNs, final String readValue, final long readVersion)
    {
        return new Operation(id, process, key, type, readValue, expectedVersion, invokeNs, nowNs, Outcome.OK,
            readVersion, false, false, null);
    }

    /** @return this PUT or CAS completed: written at {@code writtenVersion}. */
    public Operation writeOk(final long nowNs, final long writtenVersion)
    {
        return new Operation(id, process, key, type, value, expectedVersion, invokeNs, nowNs, Outcome.OK,
            writtenVersion, false, false, null);
    }

    /** @return this CAS completed: the key was not at the expected version; nothing written. */
    public Operation casMismatch(final long nowNs, final long actualVersion)
    {
        return new Operation(id, process, key, type, value, expectedVersion, invokeNs, nowNs, Outcome.OK,
            actualVersion, true, false, null);
    }

    /** @return this DELETE completed. */
    public Operation deleteOk(final long nowNs, final boolean keyExisted)
    {
        return new Operation(id, process, key, type, value, expectedVersion, invokeNs, nowNs, Outcome.OK, 0, false,
            keyExisted, null);
    }

    /** @return this operation ended without a definite answer; {@code why} says what the client reported. */
    public Operation unknown(final long nowNs, final String why)
    {
        return new Operation(id, process, key, type, value, expectedVersion, invokeNs, nowNs, Outcome.UNKNOWN, 0,
            false, false, why);
    }

    /** @return this operation was certainly not applied; {@code why} says what the client reported. */
    public Operation failed(final long nowNs, final String why)
    {
        return new Operation(id, process, key, type, value, expectedVersion, invokeNs, nowNs, Outcome.FAILED, 0,
            false, false, why);
    }

    /**
     * Rebuilds an operation, e.g. from a history file or in a hand-made history.
     */
    public static Operation of(
        final long id,
        final int process,
        final String key,
        final OpType type,
        final String value,
        final long expectedVersion,
        final long invokeNs,
        final long completeNs,
        final Outcome outcome,
        final long version,
        final boolean mismatch,
        final boolean existed,
        final String error)
    {
        return new Operation(id, process, key, type, value, expectedVersion, invokeNs, completeNs, outcome, version,
            mismatch, existed, error);
    }

    public long id()
    {
        return id;
    }

    /** @return the client thread that invoked it; each process has at most one operation in flight. */
    public int process()
    {
        return process;
    }

    public String key()
    {
        return key;
    }

    public OpType type()
    {
        return type;
    }

    /** @return the value written (PUT, CAS), or read (GET; null = absent). */
    public String value()
    {
        return value;
    }

    /** @return the version a CAS expected (0 = absent). */
    public long expectedVersion()
    {
        return expectedVersion;
    }

    public long invokeNs()
    {
        return invokeNs;
    }

    /** @return when the answer came back; the time the client gave up for UNKNOWN. */
    public long completeNs()
    {
        return completeNs;
    }

    public Outcome outcome()
    {
        return outcome;
    }

    /** @return version written (PUT, CAS), read (GET), or the key's actual version for a CAS mismatch. */
    public long version()
    {
        return version;
    }

    public boolean mismatch()
    {
        return mismatch;
    }

    public boolean existed()
    {
        return existed;
    }

    /** @return what the client reported for FAILED and UNKNOWN, else null. */
    public String error()
    {
        return error;
    }

    /** @return true if this is a PUT or a CAS that wrote its value (OK and not a mismatch). */
    public boolean isAcknowledgedWrite()
    {
        return outcome == Outcome.OK && (type == OpType.PUT || type == OpType.CAS && !mismatch);
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append('#').append(id).append(" p").append(process).append(' ').append(type).append(' ').append(key);
        if (type == OpType.CAS)
        {
            sb.append(" expect=").append(expectedVersion);
        }
        if (type == OpType.PUT || type == OpType.CAS)
        {
            sb.append(" value=").append(value);
        }
        sb.append(" [").append(invokeNs / 1_000).append("us..")
            .append(completeNs == NEVER ? "?" : Long.toString(completeNs / 1_000)).append("us] ").append(outcome);
        if (outcome == Outcome.OK)
        {
            switch (type)
            {
                case GET -> sb.append(' ').append(null == value ? "absent" : value + "@" + version);
                case PUT -> sb.append(" @").append(version);
                case CAS -> sb.append(mismatch ? " mismatch(actual=" + version + ")" : " @" + version);
                case DELETE -> sb.append(existed ? " existed" : " absent");
            }
        }
        else if (null != error)
        {
            sb.append(" (").append(error).append(')');
        }
        return sb.toString();
    }
}
