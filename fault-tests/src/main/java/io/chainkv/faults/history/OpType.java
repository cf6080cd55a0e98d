package io.chainkv.faults.history;

/**
 * What a client asked the store to do to one key.
 */
public enum OpType
{
    GET,
    PUT,
    DELETE,
    CAS;

    /**
     * @return true for operations that may change the key.
     */
    public boolean isWrite()
    {
        return this != GET;
    }
}
