package io.chainkv.cluster;

import io.chainkv.config.ChainMember;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * What a node publishes in its registration znode: its id, the endpoint it receives on, its state, and, while it
 * joins a chain, the chain epoch in which it caught up with the tail (the master's signal to make it the tail).
 * <p>
 * Encoded as {@code nodeId=...}, {@code endpoint=host:port}, {@code state=...} and {@code caughtUpEpoch=...} lines
 * (see {@link #encode()}); a missing {@code caughtUpEpoch} reads as 0. The id is also the znode's name; decoding checks that the two agree.
 */
public final class NodeInfo
{
    private static final String WHAT = "node registration";

    private final String nodeId;
    private final String endpoint;
    private final NodeState state;
    private final long caughtUpEpoch;

    /**
     * @param nodeId   unique id of the node in the cluster.
     * @param endpoint host:port the node receives on.
     * @param state    what the node is doing.
     */
    public NodeInfo(final String nodeId, final String endpoint, final NodeState state)
    {
        this(nodeId, endpoint, state, 0);
    }

    /**
     * @param nodeId        unique id of the node in the cluster.
     * @param endpoint      host:port the node receives on.
     * @param state         what the node is doing.
     * @param caughtUpEpoch epoch of the chain configuration in which the node, as joiner, caught up; 0 if none.
     */
    public NodeInfo(final String nodeId, final String endpoint, final NodeState state, final long caughtUpEpoch)
    {
        // ChainMember validates the id and the endpoint with the same rules a chain member has.
        final ChainMember member = new ChainMember(nodeId, endpoint);
        this.nodeId = member.nodeId();
        this.endpoint = member.endpoint();
        this.state = Objects.requireNonNull(state, "state");
        this.caughtUpEpoch = caughtUpEpoch;
    }

    /**
     * @param expectedNodeId name of the znode the data came from, or null not to check.
     * @param data           contents of the znode.
     * @return the registration.
     * @throws IllegalArgumentException saying what is wrong if the data is not a valid registration.
     */
    public static NodeInfo decode(final String expectedNodeId, final byte[] data)
    {
        final Map<String, String> values = KeyValueText.parse(data, WHAT);
        final String nodeId = KeyValueText.require(values, "nodeId", WHAT);
        if (null != expectedNodeId && !expectedNodeId.equals(nodeId))
        {
            throw new IllegalArgumentException(WHAT + ": znode " + expectedNodeId + " holds node id " + nodeId);
        }
        final String stateText = KeyValueText.require(values, "state", WHAT);
        final NodeState state;
        try
        {
            state = NodeState.valueOf(stateText);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(WHAT + ": unknown state '" + stateText + "'");
        }
        final String caughtUpText = values.getOrDefault("caughtUpEpoch", "0");
        final long caughtUpEpoch;
        try
        {
            caughtUpEpoch = Long.parseLong(caughtUpText.strip());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(WHAT + ": caughtUpEpoch '" + caughtUpText + "' is not a number");
        }
        return new NodeInfo(nodeId, KeyValueText.require(values, "endpoint", WHAT), state, caughtUpEpoch);
    }

    /**
     * @return the znode contents {@link #decode} reads.
     */
    public byte[] encode()
    {
        final StringBuilder sb = new StringBuilder(64);
        KeyValueText.append(sb, "nodeId", nodeId);
        KeyValueText.append(sb, "endpoint", endpoint);
        KeyValueText.append(sb, "state", state.name());
        KeyValueText.append(sb, "caughtUpEpoch", caughtUpEpoch);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param newState a state.
     * @return the same node in that state.
     */
    public NodeInfo withState(final NodeState newState)
    {
        return new NodeInfo(nodeId, endpoint, newState, caughtUpEpoch);
    }

    /**
     * @param epoch the chain epoch in which the node caught up as joiner; 0 for none.
     * @return the same node with that epoch.
     */
    public NodeInfo withCaughtUpEpoch(final long epoch)
    {
        return new NodeInfo(nodeId, endpoint, state, epoch);
    }

    /**
     * @return the chain epoch in which this node, as joiner, caught up with the tail; 0 if it has not.
     */
    public long caughtUpEpoch()
    {
        return caughtUpEpoch;
    }

    /**
     * @return this node as a chain member.
     */
    public ChainMember toMember()
    {
        return new ChainMember(nodeId, endpoint);
    }

    public String nodeId()
    {
        return nodeId;
    }

    public String endpoint()
    {
        return endpoint;
    }

    public NodeState state()
    {
        return state;
    }

    public boolean equals(final Object o)
    {
        return o instanceof NodeInfo && ((NodeInfo)o).nodeId.equals(nodeId) &&
            ((NodeInfo)o).endpoint.equals(endpoint) && ((NodeInfo)o).state == state &&
            ((NodeInfo)o).caughtUpEpoch == caughtUpEpoch;
    }

    public int hashCode()
    {
        return Objects.hash(nodeId, endpoint, state, caughtUpEpoch);
    }

    public String toString()
    {
        return nodeId + "@" + endpoint + "(" + state + (0 == caughtUpEpoch ? "" : ", caught up in epoch " + caughtUpEpoch) +
            ")";
    }
}
