package io.chainkv.perf;

/**
 * The operation types the runner issues and reports separately.
 */
public enum Op
{
    /** A linearizable get, served by the tail. */
    READ("read"),

    /** A put, acknowledged by the tail once every member applied it. */
    WRITE("write"),

    /**
     * A read-modify-write: get the key, then compare-and-set it at the version read. Its latency covers both
     * requests, as YCSB's read-modify-write does; a version mismatch is a valid outcome, counted as a conflict.
     */
    CAS("cas");

    private static final Op[] VALUES = values();

    private final String label;

    Op(final String label)
    {
        this.label = label;
    }

    /**
     * @return lower-case name used in output files and tables.
     */
    public String label()
    {
        return label;
    }

    /**
     * @param ordinal an ordinal.
     * @return the op with that ordinal, without allocating the values array.
     */
    public static Op of(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * @return number of op types.
     */
    public static int count()
    {
        return VALUES.length;
    }
}
