package io.chainkv.node.store;

/**
 * A data directory holds a store the node cannot vouch for: a file is missing beside the others, the metadata is
 * damaged, or the store was not closed cleanly in an earlier boot of the machine, so its metadata may claim writes its
 * maps lack. Its message is the sentence an operator reads. A node in a cluster sets such a store aside and rejoins by a
 * full state transfer ({@link ChainStore#openSettingAsideUntrusted}); nothing else may serve or rejoin by a delta from
 * it (docs/store.md, "Which stores a node trusts").
 */
public final class UntrustedStoreException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with the store and why it cannot be trusted.
     */
    public UntrustedStoreException(final String message)
    {
        super(message);
    }
}
