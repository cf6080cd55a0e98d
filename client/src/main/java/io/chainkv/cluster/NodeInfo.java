package io.chainkv.cluster;

import io.chainkv.config.ChainMember;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * What a node publishes in its registration znode: its id, the endpoint it receives on, its state, and, while it
 * joins a chain, the chain epoch in which it caught up with the tail (the master's signal to make it the tail), and
 * the committed seq its store held when it started (a new cluster is started from the node that holds the most),
 * and where its metrics and health endpoint is, if it serves one. What the data path proves or learns during a
 * handoff is reported here too: the epoch in which it proved the handoff to a provisional tail, and the epoch in
 * which it learnt it needs a new transfer (docs/healing.md). Each registration carries the node's
 * <em>incarnation</em>, a random 64-bit id the process draws each time it registers (so once per ZooKeeper session), and
 * its session timeout: the master records the incarnation with every place it gives the node, and another process
 * that finds the id registered waits that long for the registration to go before it calls the holder alive
 * (docs/design.md, "Node registrations").
 * <p>
 * Encoded as {@code nodeId=...}, {@code endpoint=host:port}, {@code state=...}, {@code caughtUpEpoch=...} and
 * {@code heldSeq=...} lines, {@code metrics=host:port} when it serves one, and {@code handoffEpoch=...} and
 * {@code needsTransferEpoch=...}, {@code incarnation=<hex>} and {@code sessionTimeoutMs=...} when not 0 (see
 * {@link #encode()}); a missing number reads as 0. Readers ignore keys
 * they do not know.
 * The id is also the znode's name; decoding checks that the two agree.
 */
public final class NodeInfo
{
    private static final String WHAT = "node registration";

    private final String nodeId;
    private final String endpoint;
    private final NodeState state;
    private final long caughtUpEpoch;
    private final long heldSeq;
    private final String metricsEndpoint;
    private final long handoffEpoch;
    private final long needsTransferEpoch;
    private final long incarnation;
    private final int sessionTimeoutMs;
    private final long resumes;
    private final long adoptedEpoch;
    private final long memberEpoch;
    private final long appliedSeq;

    /**
     * @param nodeId   unique id of the node in the cluster.
     * @param endpoint host:port the node receives on.
     * @param state    what the node is doing.
     */
    public NodeInfo(final String nodeId, final String endpoint, final NodeState state)
    {
        this(nodeId, endpoint, state, 0, 0);
    }

    /**
     * @param nodeId        unique id of the node in the cluster.
     * @param endpoint      host:port the node receives on.
     * @param state         what the node is doing.
     * @param caughtUpEpoch epoch of the chain configuration in which the node, as joiner, caught up; 0 if none.
     * @param heldSeq       the last committed seq its store held when it started (0: empty); a new cluster starts
     *                      from the node holding the most.
     */
    public NodeInfo(
        final String nodeId, final String endpoint, final NodeState state, final long caughtUpEpoch, final long heldSeq)
    {
        this(nodeId, endpoint, state, caughtUpEpoch, heldSeq, null, 0, 0, ChainMember.NO_INCARNATION, 0,
            ChainMember.NO_INCARNATION, 0, 0, 0);
    }

    private NodeInfo(
        final String nodeId,
        final String endpoint,
        final NodeState state,
        final long caughtUpEpoch,
        final long heldSeq,
        final String metricsEndpoint,
        final long handoffEpoch,
        final long needsTransferEpoch,
        final long incarnation,
        final int sessionTimeoutMs,
        final long resumes,
        final long adoptedEpoch,
        final long memberEpoch,
        final long appliedSeq)
    {
        // ChainMember validates the id and the endpoint with the same rules a chain member has.
        final ChainMember member = new ChainMember(nodeId, endpoint);
        this.nodeId = member.nodeId();
        this.endpoint = member.endpoint();
        this.state = Objects.requireNonNull(state, "state");
        this.caughtUpEpoch = caughtUpEpoch;
        this.heldSeq = heldSeq;
        this.metricsEndpoint = null == metricsEndpoint ? null : new ChainMember(nodeId, metricsEndpoint).endpoint();
        this.handoffEpoch = handoffEpoch;
        this.needsTransferEpoch = needsTransferEpoch;
        this.incarnation = incarnation;
        this.sessionTimeoutMs = Math.max(0, sessionTimeoutMs);
        this.resumes = resumes;
        this.adoptedEpoch = adoptedEpoch;
        this.memberEpoch = memberEpoch;
        this.appliedSeq = appliedSeq;
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
        return new NodeInfo(nodeId, KeyValueText.require(values, "endpoint", WHAT), state,
            optionalLong(values, "caughtUpEpoch"), optionalLong(values, "heldSeq"), values.get("metrics"),
            optionalLong(values, "handoffEpoch"), optionalLong(values, "needsTransferEpoch"),
            values.containsKey("incarnation") ? parseIncarnation(values.get("incarnation")) : ChainMember.NO_INCARNATION,
            (int)Math.min(Integer.MAX_VALUE, optionalLong(values, "sessionTimeoutMs")),
            values.containsKey("resumes") ? parseIncarnation(values.get("resumes")) : ChainMember.NO_INCARNATION,
            optionalLong(values, "adoptedEpoch"), optionalLong(values, "memberEpoch"), optionalLong(values, "appliedSeq"));
    }

    private static long parseIncarnation(final String text)
    {
        try
        {
            return ChainMember.parseIncarnation(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(WHAT + ": " + ex.getMessage());
        }
    }

    private static long optionalLong(final Map<String, String> values, final String key)
    {
        final String text = values.getOrDefault(key, "0");
        try
        {
            return Long.parseLong(text.strip());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(WHAT + ": " + key + " '" + text + "' is not a number");
        }
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
        KeyValueText.append(sb, "heldSeq", heldSeq);
        if (null != metricsEndpoint)
        {
            KeyValueText.append(sb, "metrics", metricsEndpoint);
        }
        if (0 != handoffEpoch)
        {
            KeyValueText.append(sb, "handoffEpoch", handoffEpoch);
        }
        if (0 != needsTransferEpoch)
        {
            KeyValueText.append(sb, "needsTransferEpoch", needsTransferEpoch);
        }
        if (ChainMember.NO_INCARNATION != incarnation)
        {
            KeyValueText.append(sb, "incarnation", ChainMember.incarnationText(incarnation));
        }
        if (0 != sessionTimeoutMs)
        {
            KeyValueText.append(sb, "sessionTimeoutMs", sessionTimeoutMs);
        }
        if (ChainMember.NO_INCARNATION != resumes)
        {
            KeyValueText.append(sb, "resumes", ChainMember.incarnationText(resumes));
        }
        if (0 != adoptedEpoch)
        {
            KeyValueText.append(sb, "adoptedEpoch", adoptedEpoch);
        }
        if (0 != memberEpoch)
        {
            KeyValueText.append(sb, "memberEpoch", memberEpoch);
            KeyValueText.append(sb, "appliedSeq", appliedSeq);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param newState a state.
     * @return the same node in that state.
     */
    public NodeInfo withState(final NodeState newState)
    {
        return new NodeInfo(nodeId, endpoint, newState, caughtUpEpoch, heldSeq, metricsEndpoint, handoffEpoch,
            needsTransferEpoch, incarnation, sessionTimeoutMs, resumes, adoptedEpoch, memberEpoch, appliedSeq);
    }

    /**
     * @param epoch the chain epoch in which the node caught up as joiner; 0 for none.
     * @return the same node with that epoch.
     */
    public NodeInfo withCaughtUpEpoch(final long epoch)
    {
        return new NodeInfo(nodeId, endpoint, state, epoch, heldSeq, metricsEndpoint, handoffEpoch, needsTransferEpoch,
            incarnation, sessionTimeoutMs, resumes, adoptedEpoch, memberEpoch, appliedSeq);
    }

    /**
     * @param endpoint host:port of the node's HTTP metrics and health endpoint, or null if it serves none.
     * @return the same node with that endpoint.
     */
    public NodeInfo withMetricsEndpoint(final String endpoint)
    {
        return new NodeInfo(nodeId, this.endpoint, state, caughtUpEpoch, heldSeq, endpoint, handoffEpoch,
            needsTransferEpoch, incarnation, sessionTimeoutMs, resumes, adoptedEpoch, memberEpoch, appliedSeq);
    }

    /**
     * @param epoch the chain epoch in which this node, as predecessor of a provisional tail, saw that tail hold
     *              everything this node had acknowledged as tail; 0 for none.
     * @return the same node with that epoch.
     */
    public NodeInfo withHandoffEpoch(final long epoch)
    {
        return new NodeInfo(nodeId, endpoint, state, caughtUpEpoch, heldSeq, metricsEndpoint, epoch, needsTransferEpoch,
            incarnation, sessionTimeoutMs, resumes, adoptedEpoch, memberEpoch, appliedSeq);
    }

    /**
     * @param epoch the chain epoch in which this member's predecessor told it that it no longer holds the updates this
     *              member lacks, so only a new transfer can bring it up to date; 0 for none.
     * @return the same node with that epoch.
     */
    public NodeInfo withNeedsTransferEpoch(final long epoch)
    {
        return new NodeInfo(nodeId, endpoint, state, caughtUpEpoch, heldSeq, metricsEndpoint, handoffEpoch, epoch,
            incarnation, sessionTimeoutMs, resumes, adoptedEpoch, memberEpoch, appliedSeq);
    }

    /**
     * @param incarnation the id of this registration (drawn anew each time the process registers).
     * @return the same node as that incarnation.
     */
    public NodeInfo withIncarnation(final long incarnation)
    {
        return new NodeInfo(nodeId, endpoint, state, caughtUpEpoch, heldSeq, metricsEndpoint, handoffEpoch,
            needsTransferEpoch, incarnation, sessionTimeoutMs, resumes, adoptedEpoch, memberEpoch, appliedSeq);
    }

    /**
     * @param sessionTimeoutMs the ZooKeeper session timeout the node's session was granted.
     * @return the same node with that session timeout.
     */
    public NodeInfo withSessionTimeoutMs(final int sessionTimeoutMs)
    {
        return new NodeInfo(nodeId, endpoint, state, caughtUpEpoch, heldSeq, metricsEndpoint, handoffEpoch,
            needsTransferEpoch, incarnation, sessionTimeoutMs, resumes, adoptedEpoch, memberEpoch, appliedSeq);
    }

    /**
     * @param previous the incarnation this process registered as before it lost that session; the master may re-form
     *                 a chain none of whose members is left from the same processes (docs/design.md, "Node
     *                 registrations").
     * @return the same node, saying so.
     */
    public NodeInfo withResumes(final long previous)
    {
        return new NodeInfo(nodeId, endpoint, state, caughtUpEpoch, heldSeq, metricsEndpoint, handoffEpoch,
            needsTransferEpoch, incarnation, sessionTimeoutMs, previous, adoptedEpoch, memberEpoch, appliedSeq);
    }

    /**
     * @param epoch the chain epoch whose configuration the node's data path has adopted; 0 for none.
     * @return the same node with that epoch.
     */
    public NodeInfo withAdoptedEpoch(final long epoch)
    {
        return new NodeInfo(nodeId, endpoint, state, caughtUpEpoch, heldSeq, metricsEndpoint, handoffEpoch,
            needsTransferEpoch, incarnation, sessionTimeoutMs, resumes, epoch, memberEpoch, appliedSeq);
    }

    /**
     * @param epoch      the last chain epoch in which the node's store was a full member's (0 for none), as it started.
     * @param appliedSeq the last seq its store applied, as it started.
     * @return the same node with that history.
     */
    public NodeInfo withHistory(final long epoch, final long appliedSeq)
    {
        return new NodeInfo(nodeId, endpoint, state, caughtUpEpoch, heldSeq, metricsEndpoint, handoffEpoch,
            needsTransferEpoch, incarnation, sessionTimeoutMs, resumes, adoptedEpoch, epoch, appliedSeq);
    }

    /**
     * @return the last chain epoch in which the node's store, as it started, was a full member's: one holding every write
     * the chain acknowledged (0: none, or an empty or incomplete store). A chain every member of which went down is
     * re-formed from such a restarted node (docs/healing.md, "The whole cluster restarts").
     */
    public long memberEpoch()
    {
        return memberEpoch;
    }

    /**
     * @return the last seq the node's store had applied when it started: the longer history wins a re-formed chain.
     */
    public long appliedSeq()
    {
        return appliedSeq;
    }

    /**
     * @return the chain epoch whose configuration the node's data path has adopted (0 before the first). A member that
     * is leaving the chain answers no reads from that epoch on, so the master removes it once this reaches the epoch
     * that marked it leaving.
     */
    public long adoptedEpoch()
    {
        return adoptedEpoch;
    }

    /**
     * @return the incarnation this same process held on its previous session; {@link ChainMember#NO_INCARNATION} for
     * a process registering for the first time (a restarted process knows no earlier incarnation).
     */
    public long resumes()
    {
        return resumes;
    }

    /**
     * @return this registration's incarnation; {@link ChainMember#NO_INCARNATION} if it records none.
     */
    public long incarnation()
    {
        return incarnation;
    }

    /**
     * @return the session timeout of the registering session in ms; 0 if it records none.
     */
    public int sessionTimeoutMs()
    {
        return sessionTimeoutMs;
    }

    /**
     * @return the chain epoch in which this node proved the handoff to its provisional successor (it saw the successor
     * hold everything this node acknowledged as tail); 0 if it has not. The master's cue to make that tail a full one.
     */
    public long handoffEpoch()
    {
        return handoffEpoch;
    }

    /**
     * @return the chain epoch in which this member learnt it lacks updates its predecessor no longer holds; 0 if it
     * has not. The master's cue to take it out of the chain so it transfers again.
     */
    public long needsTransferEpoch()
    {
        return needsTransferEpoch;
    }

    /**
     * @return host:port of the node's metrics and health endpoint, or null if it serves none.
     */
    public String metricsEndpoint()
    {
        return metricsEndpoint;
    }

    /**
     * @return the chain epoch in which this node, as joiner, caught up with the tail; 0 if it has not.
     */
    public long caughtUpEpoch()
    {
        return caughtUpEpoch;
    }

    /**
     * @return the last committed seq the node's store held when it started; 0 for an empty store.
     */
    public long heldSeq()
    {
        return heldSeq;
    }

    /**
     * @return this node as a chain member, held by this registration's incarnation.
     */
    public ChainMember toMember()
    {
        return new ChainMember(nodeId, endpoint, incarnation);
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
            ((NodeInfo)o).caughtUpEpoch == caughtUpEpoch && ((NodeInfo)o).heldSeq == heldSeq &&
            Objects.equals(((NodeInfo)o).metricsEndpoint, metricsEndpoint) && ((NodeInfo)o).handoffEpoch == handoffEpoch &&
            ((NodeInfo)o).needsTransferEpoch == needsTransferEpoch && ((NodeInfo)o).incarnation == incarnation &&
            ((NodeInfo)o).sessionTimeoutMs == sessionTimeoutMs && ((NodeInfo)o).resumes == resumes &&
            ((NodeInfo)o).adoptedEpoch == adoptedEpoch && ((NodeInfo)o).memberEpoch == memberEpoch &&
            ((NodeInfo)o).appliedSeq == appliedSeq;
    }

    public int hashCode()
    {
        return Objects.hash(nodeId, endpoint, state, caughtUpEpoch, incarnation);
    }

    public String toString()
    {
        return nodeId + "@" + endpoint + "(" + describe() + ")";
    }

    /**
     * @return the state and whatever the node reports beside it, for logs.
     */
    public String describe()
    {
        return state + (0 == caughtUpEpoch ? "" : ", caught up in epoch " + caughtUpEpoch) +
            (0 == handoffEpoch ? "" : ", handoff proven in epoch " + handoffEpoch) +
            (0 == needsTransferEpoch ? "" : ", needs a transfer since epoch " + needsTransferEpoch) +
            (0 == adoptedEpoch ? "" : ", in epoch " + adoptedEpoch);
    }
}
