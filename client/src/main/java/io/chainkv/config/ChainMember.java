package io.chainkv.config;

import java.util.Objects;

/**
 * One node's place in a chain: its id and the host:port of its Aeron endpoint.
 */
public final class ChainMember
{
    private final String nodeId;
    private final String endpoint;

    /**
     * @param nodeId   unique name of the node within the cluster.
     * @param endpoint host:port the node receives on.
     */
    public ChainMember(final String nodeId, final String endpoint)
    {
        if (null == nodeId || nodeId.isEmpty() || !nodeId.matches("[A-Za-z0-9_.-]+"))
        {
            throw new IllegalArgumentException("node id must be letters, digits, '_', '.' or '-', was '" + nodeId + "'");
        }
        final int colon = null == endpoint ? -1 : endpoint.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException("endpoint of node " + nodeId + " must be host:port, was '" + endpoint + "'");
        }
        try
        {
            final int port = Integer.parseInt(endpoint.substring(colon + 1));
            if (port <= 0 || port > 65535)
            {
                throw new NumberFormatException();
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("endpoint of node " + nodeId + " has no valid port: '" + endpoint + "'");
        }
        this.nodeId = nodeId;
        this.endpoint = endpoint;
    }

    /**
     * @param text "nodeId@host:port".
     * @return the member.
     */
    public static ChainMember parse(final String text)
    {
        final int at = text.indexOf('@');
        if (at <= 0)
        {
            throw new IllegalArgumentException("a member is nodeId@host:port, was '" + text + "'");
        }
        return new ChainMember(text.substring(0, at).trim(), text.substring(at + 1).trim());
    }

    public String nodeId()
    {
        return nodeId;
    }

    public String endpoint()
    {
        return endpoint;
    }

    public boolean equals(final Object o)
    {
        return o instanceof ChainMember && ((ChainMember)o).nodeId.equals(nodeId) &&
            ((ChainMember)o).endpoint.equals(endpoint);
    }

    public int hashCode()
    {
        return Objects.hash(nodeId, endpoint);
    }

    public String toString()
    {
        return nodeId + "@" + endpoint;
    }
}
