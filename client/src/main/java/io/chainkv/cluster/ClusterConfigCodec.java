package io.chainkv.cluster;

import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Encodes a {@link ClusterConfig} as the contents of the config znode, and decodes it back:
 * <pre>
 * format=1
 * cluster=local
 * epoch=7
 * chains=0,1
 * chain.0.epoch=7
 * chain.0.members=n1@127.0.0.1:40101,n3@127.0.0.1:40103
 * chain.1.epoch=2
 * chain.1.members=n4@127.0.0.1:40104,n5@127.0.0.1:40105
 * chain.1.joiner=n6@127.0.0.1:40106
 * chain.1.incarnations=n4:5f1c0e2a9b7d4410,n5:93a2...,n6:...
 * chain.2.provisionalTail=n9
 * chain.2.leaving=n7
 * </pre>
 * Members are listed head first; {@code joiner} is present only while a node joins the chain; {@code provisionalTail}
 * names the tail while it is a promoted joiner whose handoff its predecessor has not proven yet; {@code leaving} lists
 * members removed alive that answer no reads this epoch and leave in a later one; {@code incarnations}
 * names, per member and joiner, the incarnation holding the place ({@link ChainMember#incarnation()}, hexadecimal;
 * absent for none). Keys this version does not know are ignored, so a later version can add some; a change that older
 * readers must not misread bumps {@code format}. Incarnations did not bump it: a reader that ignores them reads the
 * members right and only cannot tell a restarted process from the one the master placed, as before they existed.
 */
public final class ClusterConfigCodec
{
    /** The format this codec writes and the only one it reads. */
    public static final int FORMAT = 1;

    private static final String WHAT = "cluster config";

    private ClusterConfigCodec()
    {
    }

    /**
     * @param config to encode.
     * @return its znode contents.
     */
    public static byte[] encode(final ClusterConfig config)
    {
        final StringBuilder sb = new StringBuilder(256);
        KeyValueText.append(sb, "format", FORMAT);
        KeyValueText.append(sb, "cluster", config.clusterName());
        KeyValueText.append(sb, "epoch", config.epoch());
        final StringBuilder ids = new StringBuilder();
        for (final ChainConfig chain : config.chains())
        {
            ids.append(ids.length() > 0 ? "," : "").append(chain.chainId());
        }
        KeyValueText.append(sb, "chains", ids);
        for (final ChainConfig chain : config.chains())
        {
            final String prefix = "chain." + chain.chainId() + ".";
            KeyValueText.append(sb, prefix + "epoch", chain.epoch());
            final StringBuilder members = new StringBuilder();
            for (final ChainMember member : chain.members())
            {
                members.append(members.length() > 0 ? "," : "").append(member);
            }
            KeyValueText.append(sb, prefix + "members", members);
            if (null != chain.joiner())
            {
                KeyValueText.append(sb, prefix + "joiner", chain.joiner());
            }
            if (!chain.leaving().isEmpty())
            {
                KeyValueText.append(sb, prefix + "leaving", String.join(",", new TreeSet<>(chain.leaving())));
            }
            if (chain.tailProvisional())
            {
                KeyValueText.append(sb, prefix + "provisionalTail", chain.tail().nodeId());
            }
            final StringBuilder incarnations = new StringBuilder();
            for (final ChainMember member : chain.members())
            {
                appendIncarnation(incarnations, member);
            }
            if (null != chain.joiner())
            {
                appendIncarnation(incarnations, chain.joiner());
            }
            if (incarnations.length() > 0)
            {
                KeyValueText.append(sb, prefix + "incarnations", incarnations);
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void appendIncarnation(final StringBuilder sb, final ChainMember member)
    {
        if (ChainMember.NO_INCARNATION != member.incarnation())
        {
            sb.append(sb.length() > 0 ? "," : "").append(member.nodeId()).append(':')
                .append(ChainMember.incarnationText(member.incarnation()));
        }
    }

    private static Map<String, Long> incarnations(final String text, final int chainId)
    {
        final Map<String, Long> byNode = new HashMap<>();
        if (null == text)
        {
            return byNode;
        }
        for (final String entry : text.split(","))
        {
            if (entry.isBlank())
            {
                continue;
            }
            final int colon = entry.indexOf(':');
            if (colon <= 0)
            {
                throw new IllegalArgumentException(WHAT + ": chain " + chainId + " incarnation '" + entry +
                    "' is not nodeId:hex");
            }
            try
            {
                byNode.put(entry.substring(0, colon).strip(), ChainMember.parseIncarnation(entry.substring(colon + 1)));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(WHAT + ": chain " + chainId + ": " + ex.getMessage());
            }
        }
        return byNode;
    }

    private static ChainMember withIncarnation(final ChainMember member, final Map<String, Long> incarnations)
    {
        final Long incarnation = incarnations.get(member.nodeId());
        return null == incarnation ? member : member.withIncarnation(incarnation);
    }

    /**
     * @param data znode contents.
     * @return the configuration.
     * @throws IllegalArgumentException saying what is wrong if the data is not a valid configuration.
     */
    public static ClusterConfig decode(final byte[] data)
    {
        final Map<String, String> values = KeyValueText.parse(data, WHAT);
        final long format = KeyValueText.requireLong(values, "format", WHAT);
        if (FORMAT != format)
        {
            throw new IllegalArgumentException(WHAT + ": format " + format + " is not supported (this reader knows " +
                FORMAT + ")");
        }
        final String cluster = KeyValueText.require(values, "cluster", WHAT);
        final long epoch = KeyValueText.requireLong(values, "epoch", WHAT);
        final List<ChainConfig> chains = new ArrayList<>();
        final String ids = values.getOrDefault("chains", "");
        for (final String idText : ids.split(","))
        {
            if (idText.isBlank())
            {
                continue;
            }
            final int chainId;
            try
            {
                chainId = Integer.parseInt(idText.strip());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(WHAT + ": chain id '" + idText + "' is not a number");
            }
            final String prefix = "chain." + chainId + ".";
            final long chainEpoch = KeyValueText.requireLong(values, prefix + "epoch", WHAT);
            final Map<String, Long> incarnations = incarnations(values.get(prefix + "incarnations"), chainId);
            final List<ChainMember> members = new ArrayList<>();
            for (final String memberText : KeyValueText.require(values, prefix + "members", WHAT).split(","))
            {
                if (!memberText.isBlank())
                {
                    members.add(withIncarnation(ChainMember.parse(memberText.strip()), incarnations));
                }
            }
            final String joinerText = values.get(prefix + "joiner");
            final ChainMember joiner = null == joinerText || joinerText.isBlank() ? null :
                withIncarnation(ChainMember.parse(joinerText.strip()), incarnations);
            final Set<String> leaving = new HashSet<>();
            for (final String id : values.getOrDefault(prefix + "leaving", "").split(","))
            {
                if (!id.isBlank())
                {
                    leaving.add(id.strip());
                }
            }
            final String provisionalTail = values.get(prefix + "provisionalTail");
            if (null != provisionalTail && !members.isEmpty() &&
                !members.get(members.size() - 1).nodeId().equals(provisionalTail.strip()))
            {
                throw new IllegalArgumentException(WHAT + ": chain " + chainId + " names " + provisionalTail +
                    " as its provisional tail, but its tail is " + members.get(members.size() - 1).nodeId());
            }
            try
            {
                chains.add(new ChainConfig(cluster, chainId, chainEpoch, members, joiner, leaving,
                    null != provisionalTail));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(WHAT + ": chain " + chainId + ": " + ex.getMessage(), ex);
            }
        }
        return new ClusterConfig(cluster, epoch, chains);
    }
}
