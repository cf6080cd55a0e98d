package io.chainkv.node.store;

/**
 * Reusable holder for the recorded outcome of a client's request, filled by {@link ClientTable#lookup} when the
 * request is a duplicate.
 */
public final class ClientResult
{
    private byte status;
    private long version;

    /**
     * @return the status the request was answered with the first time.
     */
    public byte status()
    {
        return status;
    }

    /**
     * @return the version the request was given the first time.
     */
    public long version()
    {
        return version;
    }

    void set(final byte status, final long version)
    {
        this.status = status;
        this.version = version;
    }

    public String toString()
    {
        return "ClientResult{status=" + status + ", version=" + version + '}';
    }
}
