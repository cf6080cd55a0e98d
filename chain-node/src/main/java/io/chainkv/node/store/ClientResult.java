package io.chainkv.node.store;

/**
 * Reusable holder for what {@link ClientTable#lookup} found: the client's session and, when the request is a
 * duplicate, its recorded outcome.
 */
public final class ClientResult
{
    private byte status;
    private long version;
    private int session = -1;

    /**
     * @return the index of the client's session in the table, or -1 if the table holds no session of the client.
     */
    public int session()
    {
        return session;
    }

    void session(final int session)
    {
        this.session = session;
    }

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
