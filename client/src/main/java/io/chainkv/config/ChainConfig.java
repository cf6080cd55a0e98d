package io.chainkv.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * One configuration of one chain: the cluster it belongs to, its id, its epoch, its members in order
 * from head to tail, and the node joining it, if any.
 * <p>
 * A joiner is not a member: it serves nothing. The tail streams its state to it and forwards it every update it
 * applies; once the joiner has caught up, the master makes it the tail in the next configuration.
 * <p>
 * A joiner made tail is <em>provisional</em> until its predecessor, the old tail, has seen it hold everything the
 * old tail acknowledged (docs/design.md, invariant 9): until then the master plans every failure as if it were still
 * the joiner, so a lagging new tail never becomes a chain's only holder of its writes, and it answers no reads.
 * <p>
 * A member removed alive leaves in two steps: first an epoch in which it is still in the write path but answers no
 * reads ({@link #leaving()}), then, once it has adopted that epoch, one without it. So no configuration commits a write
 * the removed member has not seen while it may still answer reads (docs/design.md, invariant 10).
 * <p>
 * Immutable. A node acts only on messages of the epoch of the configuration it holds.
 */
public final class ChainConfig
{
    private final String clusterName;
    private final long clusterId;
    private final int chainId;
    private final long epoch;
    private final List<ChainMember> members;
    private final ChainMember joiner;
    private final Set<String> leaving;
    private final boolean tailProvisional;

    /**
     * @param clusterName name of the cluster; messages from other clusters are refused.
     * @param chainId     id of the chain within the cluster.
     * @param epoch       epoch of this configuration, at least 1.
     * @param members     head first, tail last; node ids unique.
     */
    public ChainConfig(final String clusterName, final int chainId, final long epoch, final List<ChainMember> members)
    {
        this(clusterName, chainId, epoch, members, null);
    }

    /**
     * @param clusterName name of the cluster; messages from other clusters are refused.
     * @param chainId     id of the chain within the cluster.
     * @param epoch       epoch of this configuration, at least 1.
     * @param members     head first, tail last; node ids unique.
     * @param joiner      the node receiving the tail's state to become the next tail, or null.
     */
    public ChainConfig(
        final String clusterName,
        final int chainId,
        final long epoch,
        final List<ChainMember> members,
        final ChainMember joiner)
    {
        this(clusterName, chainId, epoch, members, joiner, Set.of(), false);
    }

    /**
     * @param clusterName     name of the cluster; messages from other clusters are refused.
     * @param chainId         id of the chain within the cluster.
     * @param epoch           epoch of this configuration, at least 1.
     * @param members         head first, tail last; node ids unique.
     * @param joiner          the node receiving the tail's state to become the next tail, or null.
     * @param leaving         ids of members that stay in the write path this epoch but answer no reads, and leave the
     *                        chain in a later one (a live removal in two steps).
     * @param tailProvisional true if the tail is a promoted joiner whose predecessor has not yet proven that it holds
     *                        everything the predecessor acknowledged as tail; needs at least two members.
     */
    public ChainConfig(
        final String clusterName,
        final int chainId,
        final long epoch,
        final List<ChainMember> members,
        final ChainMember joiner,
        final Set<String> leaving,
        final boolean tailProvisional)
    {
        if (null == clusterName || clusterName.isBlank())
        {
            throw new IllegalArgumentException("cluster name must not be empty");
        }
        if (chainId < 0)
        {
            throw new IllegalArgumentException("chain id must be >= 0, was " + chainId);
        }
        if (epoch < 1)
        {
            throw new IllegalArgumentException("epoch must be >= 1, was " + epoch);
        }
        if (members.isEmpty())
        {
            throw new IllegalArgumentException("a chain needs at least one member");
        }
        final Set<String> ids = new HashSet<>();
        for (final ChainMember member : members)
        {
            if (!ids.add(member.nodeId()))
            {
                throw new IllegalArgumentException("node id " + member.nodeId() + " appears twice in the chain");
            }
        }
        this.clusterName = clusterName;
        this.clusterId = clusterIdOf(clusterName);
        this.chainId = chainId;
        this.epoch = epoch;
        if (null != joiner && ids.contains(joiner.nodeId()))
        {
            throw new IllegalArgumentException("node id " + joiner.nodeId() + " cannot be both a member and the joiner");
        }
        this.members = Collections.unmodifiableList(new ArrayList<>(members));
        this.joiner = joiner;
        for (final String id : leaving)
        {
            if (!ids.contains(id))
            {
                throw new IllegalArgumentException("node id " + id + " is leaving the chain but is not a member");
            }
        }
        this.leaving = Set.copyOf(leaving);
        if (tailProvisional && members.size() < 2)
        {
            throw new IllegalArgumentException("a provisional tail needs a predecessor to prove its handoff");
        }
        this.tailProvisional = tailProvisional;
    }

    /**
     * @param name a cluster name.
     * @return the 64-bit id carried in every message (FNV-1a of the name).
     */
    public static long clusterIdOf(final String name)
    {
        long hash = 0xcbf29ce484222325L;
        for (final byte b : name.getBytes(StandardCharsets.UTF_8))
        {
            hash ^= b & 0xFF;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /**
     * Reads a static configuration file:
     * <pre>
     * cluster.name=local
     * chain.id=0
     * epoch=1
     * members=n1@127.0.0.1:40101,n2@127.0.0.1:40102,n3@127.0.0.1:40103
     * </pre>
     *
     * @param file to read.
     * @return the configuration.
     * @throws IOException if the file cannot be read.
     */
    public static ChainConfig load(final Path file) throws IOException
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        try
        {
            return fromProperties(properties);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @param properties with the keys {@link #load} documents.
     * @return the configuration.
     */
    public static ChainConfig fromProperties(final Properties properties)
    {
        final String membersText = properties.getProperty("members");
        if (null == membersText || membersText.isBlank())
        {
            throw new IllegalArgumentException("'members' is missing: list nodeId@host:port, head first");
        }
        final List<ChainMember> members = new ArrayList<>();
        for (final String part : membersText.split(","))
        {
            if (!part.isBlank())
            {
                members.add(ChainMember.parse(part.trim()));
            }
        }
        try
        {
            return new ChainConfig(
                properties.getProperty("cluster.name", "chainkv"),
                Integer.parseInt(properties.getProperty("chain.id", "0").trim()),
                Long.parseLong(properties.getProperty("epoch", "1").trim()),
                members);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("chain.id and epoch must be numbers: " + ex.getMessage(), ex);
        }
    }

    /**
     * @return this configuration in the form {@link #fromProperties} reads.
     */
    public Properties toProperties()
    {
        final Properties properties = new Properties();
        properties.setProperty("cluster.name", clusterName);
        properties.setProperty("chain.id", Integer.toString(chainId));
        properties.setProperty("epoch", Long.toString(epoch));
        final StringBuilder sb = new StringBuilder();
        for (final ChainMember member : members)
        {
            sb.append(sb.length() > 0 ? "," : "").append(member);
        }
        properties.setProperty("members", sb.toString());
        return properties;
    }

    public String clusterName()
    {
        return clusterName;
    }

    public long clusterId()
    {
        return clusterId;
    }

    public int chainId()
    {
        return chainId;
    }

    public long epoch()
    {
        return epoch;
    }

    /**
     * @return members from head to tail.
     */
    public List<ChainMember> members()
    {
        return members;
    }

    /**
     * @return the members' node ids from head to tail: which nodes hold the places, whatever their incarnations.
     */
    public List<String> memberIds()
    {
        final List<String> ids = new ArrayList<>(members.size());
        for (final ChainMember member : members)
        {
            ids.add(member.nodeId());
        }
        return ids;
    }

    /**
     * @return the node joining at the tail, or null.
     */
    public ChainMember joiner()
    {
        return joiner;
    }

    /**
     * @return ids of the members that are leaving: they stay in the write path this epoch, answer no reads, and leave
     * in a later epoch once they have said they adopted this one.
     */
    public Set<String> leaving()
    {
        return leaving;
    }

    /**
     * @param nodeId a node.
     * @return true if it is a member that answers reads in this configuration: not leaving, and not a provisional
     * tail (which answers once the master has confirmed its handoff in a later epoch).
     */
    public boolean answersReads(final String nodeId)
    {
        final int index = indexOf(nodeId);
        return index >= 0 && !leaving.contains(nodeId) && !(tailProvisional && index == members.size() - 1);
    }

    /**
     * @return true if the tail is a promoted joiner whose handoff its predecessor has not proven yet.
     */
    public boolean tailProvisional()
    {
        return tailProvisional;
    }

    /**
     * @param provisional whether the tail is provisional.
     * @return this configuration, same epoch, with the tail provisional or not.
     */
    public ChainConfig withTailProvisional(final boolean provisional)
    {
        return new ChainConfig(clusterName, chainId, epoch, members, joiner, leaving, provisional);
    }

    /**
     * @param nodeId a node.
     * @return true if it is this chain's joiner.
     */
    public boolean isJoiner(final String nodeId)
    {
        return null != joiner && joiner.nodeId().equals(nodeId);
    }

    /**
     * @param nodeId a node id.
     * @return the member or joiner place this configuration gives that id (with the incarnation holding it), or null.
     */
    public ChainMember placeOf(final String nodeId)
    {
        final int index = indexOf(nodeId);
        return index >= 0 ? members.get(index) : isJoiner(nodeId) ? joiner : null;
    }

    /**
     * The node a node sends updates to: its successor, or for the tail, the joiner.
     *
     * @param nodeId a member.
     * @return the node downstream of it, or null.
     */
    public ChainMember downstreamOf(final String nodeId)
    {
        final ChainMember successor = successorOf(nodeId);
        if (null == successor && null != joiner && indexOf(nodeId) == members.size() - 1)
        {
            return joiner;
        }
        return successor;
    }

    /**
     * The node a node receives updates from: its predecessor, or for the joiner, the tail.
     *
     * @param nodeId a member or the joiner.
     * @return the node upstream of it, or null.
     */
    public ChainMember upstreamOf(final String nodeId)
    {
        return isJoiner(nodeId) ? tail() : predecessorOf(nodeId);
    }

    public ChainMember head()
    {
        return members.get(0);
    }

    public ChainMember tail()
    {
        return members.get(members.size() - 1);
    }

    /**
     * @param nodeId a node.
     * @return its position from the head (0), or -1 if it is not a member.
     */
    public int indexOf(final String nodeId)
    {
        for (int i = 0; i < members.size(); i++)
        {
            if (members.get(i).nodeId().equals(nodeId))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param nodeId a member.
     * @return the member before it, or null for the head.
     */
    public ChainMember predecessorOf(final String nodeId)
    {
        final int index = indexOf(nodeId);
        return index > 0 ? members.get(index - 1) : null;
    }

    /**
     * @param nodeId a member.
     * @return the member after it, or null for the tail.
     */
    public ChainMember successorOf(final String nodeId)
    {
        final int index = indexOf(nodeId);
        return index >= 0 && index < members.size() - 1 ? members.get(index + 1) : null;
    }

    public String toString()
    {
        return "cluster=" + clusterName + " chain=" + chainId + " epoch=" + epoch + " members=" + members +
            (null == joiner ? "" : " joiner=" + joiner) + (leaving.isEmpty() ? "" : " leaving=" + leaving) +
            (tailProvisional ? " provisionalTail=" + tail().nodeId() : "");
    }
}
