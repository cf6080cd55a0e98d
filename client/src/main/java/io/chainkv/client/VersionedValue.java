package io.chainkv.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * A value read from ChainKV together with its version: the chain sequence number of the write that
 * produced it. The version is what a later {@link ChainKvClient#compareAndSet} expects.
 */
public final class VersionedValue
{
    private final byte[] value;
    private final long version;

    /**
     * @param value   the bytes; not copied.
     * @param version the version, at least 1.
     */
    public VersionedValue(final byte[] value, final long version)
    {
        this.value = Objects.requireNonNull(value, "value");
        this.version = version;
    }

    /**
     * @return the value's bytes; the array is not copied, so do not change it if you share it.
     */
    public byte[] value()
    {
        return value;
    }

    public long version()
    {
        return version;
    }

    public boolean equals(final Object o)
    {
        return o instanceof VersionedValue && ((VersionedValue)o).version == version &&
            Arrays.equals(((VersionedValue)o).value, value);
    }

    public int hashCode()
    {
        return 31 * Long.hashCode(version) + Arrays.hashCode(value);
    }

    public String toString()
    {
        return "VersionedValue{version=" + version + ", length=" + value.length + "}";
    }
}
