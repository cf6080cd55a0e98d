package io.chainkv.faults.checker;

/**
 * The state of one key in the model the history is checked against: a versioned register.
 *
 * @param value   the value (null = absent).
 * @param version the value's version, or {@link #UNKNOWN_VERSION} when it was written by a write whose answer
 *                never came and no read has shown it yet; 0 when absent.
 * @param floor   the highest version known to have been written to the key so far: versions grow with every
 *                write (they are the chain's sequence numbers), so any later write must have a higher one.
 */
record RegisterState(String value, long version, long floor)
{
    static final long UNKNOWN_VERSION = -1;
    static final RegisterState ABSENT = new RegisterState(null, 0, 0);

    boolean isPresent()
    {
        return null != value;
    }

    boolean versionKnown()
    {
        return version != UNKNOWN_VERSION;
    }
}
