package io.chainkv.cluster;

import io.chainkv.config.ChainMember;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * What a node publishes in its registration znode: its id, the endpoint it receives on, its state, and where
 * its metrics and health endpoint is (if it serves one).
 * <p>
 * Encoded as {@code nodeId=...}, {@code endpoint=host:port}, {@code state=...} and optional {@code metrics=host:port}
 * lines (see {@link #encode()}). The id is also the znode's name; decoding checks that the two agree. Readers
 * ignore keys they do not know, so fields can be added.
 */
public final class NodeInfo
{
    private static final String WHAT = "node registration";

    private final String nodeId;
    private final String endpoint;
    private final NodeState state;
    private final String metricsEndpoint;

    /**
     * @param nodeId   unique id of the node in the cluster.
     * @param endpoint host:port the node receives on.
     * @param state    what the node is doing.
     */
    public NodeInfo(final String nodeId, final String endpoint, final NodeState state)
    {
        this(nodeId, endpoint, state, null);
    }

    /**
     * @param nodeId          unique id of the node in the cluster.
     * @param endpoint        host:port the node receives on.
     * @param state           what the node is doing.
     * @param metricsEndpoint host:port of its HTTP metrics and health endpoint, or null if it serves none.
     */
    public NodeInfo(final String nodeId, final String endpoint, final NodeState state, final String metricsEndpoint)
    {
        // ChainMember validates the id and the endpoint with the same rules a chain member has.
        final ChainMember member = new ChainMember(nodeId, endpoint);
        this.nodeId = member.nodeId();
        this.endpoint = member.endpoint();
        this.state = Objects.requireNonNull(state, "state");
        this.metricsEndpoint = null == metricsEndpoint ? null : new ChainMember(nodeId, metricsEndpoint).endpoint();
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
        return new NodeInfo(nodeId, KeyValueText.require(values, "endpoint", WHAT), state, values.get("metrics"));
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
        if (null != metricsEndpoint)
        {
            KeyValueText.append(sb, "metrics", metricsEndpoint);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param newState a state.
     * @return the same node in that state.
     */
    public NodeInfo withState(final NodeState newState)
    {
        return new NodeInfo(nodeId, endpoint, newState, metricsEndpoint);
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

    /**
     * @return host:port of the node's metrics and health endpoint, or null if it serves none.
     */
    public String metricsEndpoint()
    {
        return metricsEndpoint;
    }

    public boolean equals(final Object o)
    {
        return o instanceof NodeInfo && ((NodeInfo)o).nodeId.equals(nodeId) &&
            ((NodeInfo)o).endpoint.equals(endpoint) && ((NodeInfo)o).state == state &&
            Objects.equals(((NodeInfo)o).metricsEndpoint, metricsEndpoint);
    }

    public int hashCode()
    {
        return Objects.hash(nodeId, endpoint, state, metricsEndpoint);
    }

    public String toString()
    {
        return nodeId + "@" + endpoint + "(" + state + ")";
    }
}
