package io.chainkv.client;

import io.chainkv.protocol.codecs.Status;

/**
 * A compare-and-set found the key at another version than the one expected, so nothing was written.
 * {@link #actualVersion()} is the key's version at that moment (0 when the key is absent), ready for a
 * retry that re-reads the value first.
 */
public final class VersionMismatchException extends ChainKvException
{
    private static final long serialVersionUID = 1L;

    private final long expectedVersion;
    private final long actualVersion;

    /**
     * @param expectedVersion the version the caller expected (0 = absent).
     * @param actualVersion   the version the key has (0 = absent).
     * @param message         what happened and what the user can do.
     */
    public VersionMismatchException(final long expectedVersion, final long actualVersion, final String message)
    {
        super(Status.VERSION_MISMATCH, message);
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    /**
     * @return the version the compare-and-set expected; 0 means "absent".
     */
    public long expectedVersion()
    {
        return expectedVersion;
    }

    /**
     * @return the key's current version; 0 means the key is absent.
     */
    public long actualVersion()
    {
        return actualVersion;
    }
}
