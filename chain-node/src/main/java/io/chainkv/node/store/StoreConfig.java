package io.chainkv.node.store;

import io.chainkv.protocol.ProtocolLimits;

import java.nio.file.Path;

/**
 * Settings of a {@link ChainStore}: where it lives and how much it admits.
 * <p>
 * The limits fix the geometry of the Chronicle Maps when the store is first created, so they are recorded in the
 * data directory and a store must be reopened with the same limits (see {@link ChainStore#open(StoreConfig)}).
 * The average lengths are only sizing hints: they decide how memory is carved up, never what is admitted.
 */
public final class StoreConfig
{
    public static final long DEFAULT_MAX_ENTRIES = 1_000_000L;
    public static final long DEFAULT_MAX_DATA_BYTES = 1024L * 1024 * 1024;
    public static final int DEFAULT_AVERAGE_KEY_LENGTH = 32;
    public static final int DEFAULT_AVERAGE_VALUE_LENGTH = 256;
    public static final int DEFAULT_MAX_CLIENTS = 4096;

    private Path dataDir;
    private long maxEntries = DEFAULT_MAX_ENTRIES;
    private long maxDataBytes = DEFAULT_MAX_DATA_BYTES;
    private int maxKeyLength = ProtocolLimits.DEFAULT_MAX_KEY_LENGTH;
    private int maxValueLength = ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH;
    private int averageKeyLength = DEFAULT_AVERAGE_KEY_LENGTH;
    private int averageValueLength = DEFAULT_AVERAGE_VALUE_LENGTH;
    private int maxClients = DEFAULT_MAX_CLIENTS;
    // Seams for tests of the store only; copyLimits() leaves them out.
    private BootId bootId;
    private DiskSync diskSync = DiskSync.FSYNC;

    /**
     * @return a new config with the same limits and no data directory, e.g. for a copy of this store elsewhere.
     */
    public StoreConfig copyLimits()
    {
        return new StoreConfig().maxEntries(maxEntries).maxDataBytes(maxDataBytes).maxKeyLength(maxKeyLength)
            .maxValueLength(maxValueLength).averageKeyLength(averageKeyLength).averageValueLength(averageValueLength)
            .maxClients(maxClients);
    }

    public StoreConfig dataDir(final Path dir)
    {
        this.dataDir = dir;
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @param n live keys plus tombstones the store admits.
     * @return this for a fluent API.
     */
    public StoreConfig maxEntries(final long n)
    {
        this.maxEntries = n;
        return this;
    }

    public long maxEntries()
    {
        return maxEntries;
    }

    /**
     * @param n sum of key and value bytes the store admits (tombstones count their key).
     * @return this for a fluent API.
     */
    public StoreConfig maxDataBytes(final long n)
    {
        this.maxDataBytes = n;
        return this;
    }

    public long maxDataBytes()
    {
        return maxDataBytes;
    }

    public StoreConfig maxKeyLength(final int n)
    {
        this.maxKeyLength = n;
        return this;
    }

    public int maxKeyLength()
    {
        return maxKeyLength;
    }

    public StoreConfig maxValueLength(final int n)
    {
        this.maxValueLength = n;
        return this;
    }

    public int maxValueLength()
    {
        return maxValueLength;
    }

    /**
     * @param n expected average key length, a sizing hint.
     * @return this for a fluent API.
     */
    public StoreConfig averageKeyLength(final int n)
    {
        this.averageKeyLength = n;
        return this;
    }

    public int averageKeyLength()
    {
        return averageKeyLength;
    }

    /**
     * @param n expected average value length, a sizing hint.
     * @return this for a fluent API.
     */
    public StoreConfig averageValueLength(final int n)
    {
        this.averageValueLength = n;
        return this;
    }

    public int averageValueLength()
    {
        return averageValueLength;
    }

    /**
     * @param n clients the exactly-once table is sized for.
     * @return this for a fluent API.
     */
    public StoreConfig maxClients(final int n)
    {
        this.maxClients = n;
        return this;
    }

    public int maxClients()
    {
        return maxClients;
    }

    /**
     * @param bootId the boot the store believes it is opened in, instead of {@link BootId#current()}.
     * @return this for a fluent API.
     */
    StoreConfig bootId(final BootId bootId)
    {
        this.bootId = bootId;
        return this;
    }

    /**
     * @return the boot the store is opened in: the one given, else the machine's.
     */
    BootId bootId()
    {
        return null != bootId ? bootId : BootId.current();
    }

    StoreConfig diskSync(final DiskSync diskSync)
    {
        this.diskSync = diskSync;
        return this;
    }

    DiskSync diskSync()
    {
        return diskSync;
    }

    /**
     * @return this once every setting is usable.
     * @throws IllegalArgumentException naming the first setting that is not, and what it should be.
     */
    public StoreConfig validate()
    {
        if (null == dataDir)
        {
            throw new IllegalArgumentException("store dataDir is not set: give the directory the node keeps its data in");
        }
        if (maxKeyLength < 1)
        {
            throw new IllegalArgumentException("store maxKeyLength must be at least 1, was " + maxKeyLength);
        }
        if (maxValueLength < 0 || maxValueLength > Integer.MAX_VALUE / 2)
        {
            throw new IllegalArgumentException(
                "store maxValueLength must be between 0 and " + Integer.MAX_VALUE / 2 + ", was " + maxValueLength);
        }
        if (maxEntries < 1)
        {
            throw new IllegalArgumentException("store maxEntries must be at least 1, was " + maxEntries);
        }
        if (maxDataBytes < (long)maxKeyLength + maxValueLength)
        {
            throw new IllegalArgumentException("store maxDataBytes (" + maxDataBytes + ") must hold at least one entry of" +
                " maxKeyLength + maxValueLength = " + ((long)maxKeyLength + maxValueLength) + " bytes");
        }
        if (averageKeyLength < 1 || averageKeyLength > maxKeyLength)
        {
            throw new IllegalArgumentException(
                "store averageKeyLength must be between 1 and maxKeyLength (" + maxKeyLength + "), was " + averageKeyLength);
        }
        if (averageValueLength < 0 || averageValueLength > maxValueLength)
        {
            throw new IllegalArgumentException("store averageValueLength must be between 0 and maxValueLength (" +
                maxValueLength + "), was " + averageValueLength);
        }
        if (maxClients < 1 || (long)maxClients * ProtocolLimits.EXACTLY_ONCE_WINDOW > (1L << 31))
        {
            throw new IllegalArgumentException("store maxClients must be between 1 and " +
                (1L << 31) / ProtocolLimits.EXACTLY_ONCE_WINDOW + ", was " + maxClients);
        }
        return this;
    }

    public String toString()
    {
        return "StoreConfig{dataDir=" + dataDir +
            ", maxEntries=" + maxEntries +
            ", maxDataBytes=" + maxDataBytes +
            ", maxKeyLength=" + maxKeyLength +
            ", maxValueLength=" + maxValueLength +
            ", averageKeyLength=" + averageKeyLength +
            ", averageValueLength=" + averageValueLength +
            ", maxClients=" + maxClients +
            '}';
    }
}
