package io.chainkv.faults.checker;

import io.chainkv.faults.history.OpType;
import io.chainkv.faults.history.Operation;
import io.chainkv.faults.history.Outcome;

/**
 * The sequential specification of one ChainKV key: a register with get, put, delete and compare-and-set, whose
 * versions grow with every write. {@link #step} says whether an operation, taking effect atomically in a given
 * state, could have produced the answer the client saw, and what state it leaves.
 * <p>
 * An operation with an unknown outcome is only ever stepped as "it took effect"; the search leaves it out to
 * model "it never did".
 */
final class RegisterModel
{
    private RegisterModel()
    {
    }

    /**
     * @param state           the key's state before the operation.
     * @param op              the operation (OK or UNKNOWN; FAILED operations never reach the model).
     * @param inferredVersion for a write of unknown outcome, the version a read showed its value at, else
     *                        {@link RegisterState#UNKNOWN_VERSION}.
     * @return the state after it, or null if the operation could not have answered as it did in that state.
     */
    static RegisterState step(final RegisterState state, final Operation op, final long inferredVersion)
    {
        final boolean known = op.outcome() == Outcome.OK;
        final OpType type = op.type();
        switch (type)
        {
            case GET:
                return get(state, op);
            case PUT:
                return known ? write(state, op.value(), op.version()) : writeUnknown(state, op.value(), inferredVersion);
            case CAS:
                if (known && op.mismatch())
                {
                    return casMismatch(state, op);
                }
                if (!matches(state, op.expectedVersion()))
                {
                    return null;
                }
                return known ? write(state, op.value(), op.version()) : writeUnknown(state, op.value(), inferredVersion);
            case DELETE:
                if (!known)
                {
                    return state.isPresent() ? absentAfter(state) : state;
                }
                if (op.existed() != state.isPresent())
                {
                    return null;
                }
                return op.existed() ? absentAfter(state) : state;
            default:
                throw new IllegalArgumentException("unknown operation type " + type);
        }
    }

    private static RegisterState get(final RegisterState state, final Operation op)
    {
        if (null == op.value())
        {
            return state.isPresent() ? null : state;
        }
        if (!op.value().equals(state.value()))
        {
            return null;
        }
        if (state.versionKnown())
        {
            return state.version() == op.version() ? state : null;
        }
        // The read tells the version of a write whose answer never came.
        return op.version() > state.floor() ? new RegisterState(state.value(), op.version(), op.version()) : null;
    }

    private static RegisterState write(final RegisterState state, final String value, final long version)
    {
        if (version <= state.floor() || state.versionKnown() && version <= state.version())
        {
            return null;
        }
        return new RegisterState(value, version, version);
    }

    private static RegisterState writeUnknown(final RegisterState state, final String value, final long inferredVersion)
    {
        if (inferredVersion == RegisterState.UNKNOWN_VERSION)
        {
            return new RegisterState(value, RegisterState.UNKNOWN_VERSION, state.floor());
        }
        return write(state, value, inferredVersion);
    }

    private static boolean matches(final RegisterState state, final long expectedVersion)
    {
        if (expectedVersion == 0)
        {
            return !state.isPresent();
        }
        return state.isPresent() && (!state.versionKnown() || state.version() == expectedVersion);
    }

    private static RegisterState casMismatch(final RegisterState state, final Operation op)
    {
        if (!state.isPresent())
        {
            // Absent: only "expected a version" mismatches; the actual version reported for an absent key is not
            // part of the contract (a tombstone may carry one).
            return op.expectedVersion() != 0 ? state : null;
        }
        if (op.expectedVersion() == 0)
        {
            return state.versionKnown() && state.version() != op.version() ? null : learnVersion(state, op.version());
        }
        if (state.versionKnown())
        {
            return state.version() != op.expectedVersion() && state.version() == op.version() ? state : null;
        }
        return op.version() != op.expectedVersion() ? learnVersion(state, op.version()) : null;
    }

    private static RegisterState learnVersion(final RegisterState state, final long actualVersion)
    {
        if (state.versionKnown())
        {
            return state;
        }
        return actualVersion > state.floor() ? new RegisterState(state.value(), actualVersion, actualVersion) : null;
    }

    private static RegisterState absentAfter(final RegisterState state)
    {
        final long floor = state.versionKnown() ? Math.max(state.floor(), state.version()) : state.floor();
        return new RegisterState(null, 0, floor);
    }
}
