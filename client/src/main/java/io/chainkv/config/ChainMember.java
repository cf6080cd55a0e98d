package io.chainkv.config;

import java.util.Objects;

/**
 * One node's place in a chain: its id, the host:port of its Aeron endpoint, and the incarnation holding the place.
 * <p>
 * An incarnation is one registration of one process on one ZooKeeper session (a random 64-bit id the node draws each
 * time it registers; docs/design.md, "Node registrations"). A place belongs to the incarnation the master gave it to: a
 * process restarted, or one that lost its session, is another incarnation, so it is not this member even with the same
 * id and endpoint (docs/design.md, "Node registrations"). 0 means "not recorded": a static chain, or a configuration written before
 * incarnations existed; it matches only a registration that records none either.
 */
public final class ChainMember
{
    /** The incarnation of a member whose configuration records none. */
    public static final long NO_INCARNATION = 0;

    private final String nodeId;
    private final String endpoint;
    private final long incarnation;

    /**
     * @param nodeId   unique name of the node within the cluster.
     * @param endpoint host:port the node receives on.
     */
    public ChainMember(final String nodeId, final String endpoint)
    {
        this(nodeId, endpoint, NO_INCARNATION);
    }

    /**
     * @param nodeId      unique name of the node within the cluster.
     * @param endpoint    host:port the node receives on.
     * @param incarnation the registration holding the place; {@link #NO_INCARNATION} if not recorded.
     */
    public ChainMember(final String nodeId, final String endpoint, final long incarnation)
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
        this.incarnation = incarnation;
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

    /**
     * @return the incarnation holding this place; {@link #NO_INCARNATION} if the configuration records none.
     */
    public long incarnation()
    {
        return incarnation;
    }

    /**
     * @param incarnation an incarnation.
     * @return the same place, held by that incarnation.
     */
    public ChainMember withIncarnation(final long incarnation)
    {
        return new ChainMember(nodeId, endpoint, incarnation);
    }

    /**
     * @param incarnation a registration's incarnation.
     * @return true if that registration is the one holding this place.
     */
    public boolean heldBy(final long incarnation)
    {
        return this.incarnation == incarnation;
    }

    /**
     * @param incarnation an incarnation.
     * @return it as the configuration writes it (unsigned hexadecimal).
     */
    public static String incarnationText(final long incarnation)
    {
        return Long.toHexString(incarnation);
    }

    /**
     * @param text what {@link #incarnationText(long)} wrote.
     * @return the incarnation.
     * @throws IllegalArgumentException if it is not one.
     */
    public static long parseIncarnation(final String text)
    {
        try
        {
            return Long.parseUnsignedLong(text.strip(), 16);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("incarnation '" + text + "' is not a hexadecimal 64-bit number");
        }
    }

    public boolean equals(final Object o)
    {
        return o instanceof ChainMember && ((ChainMember)o).nodeId.equals(nodeId) &&
            ((ChainMember)o).endpoint.equals(endpoint) && ((ChainMember)o).incarnation == incarnation;
    }

    public int hashCode()
    {
        return Objects.hash(nodeId, endpoint, incarnation);
    }

    /**
     * @return "nodeId@host:port", the form {@link #parse(String)} reads (without the incarnation).
     */
    public String toString()
    {
        return nodeId + "@" + endpoint;
    }
}
