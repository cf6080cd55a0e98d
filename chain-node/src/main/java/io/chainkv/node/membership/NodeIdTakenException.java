package io.chainkv.node.membership;

/**
 * Another live process holds this node's id in the cluster: this one must not start (docs/failures.md, "Two processes
 * with one node id"). The message says which process holds it and what to do.
 */
public final class NodeIdTakenException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the sentence for the operator.
     */
    public NodeIdTakenException(final String message)
    {
        super(message);
    }
}
