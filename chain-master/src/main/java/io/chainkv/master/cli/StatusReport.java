package io.chainkv.master.cli;

import io.chainkv.cluster.NodeInfo;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code chainctl status} prints: a {@link ClusterStatus} (from ZooKeeper) joined with each live node's
 * {@link NodeProgress} (from its metrics endpoint), as a table for people or one JSON object for scripts.
 * <p>
 * For each chain member: its role, its state (joining, serving or draining as it registered; down when it has
 * no registration), its applied and committed sequence numbers, how many updates it is behind the head, how long
 * its oldest uncommitted update has waited for the tail, and its store use against capacity.
 */
final class StatusReport
{
    /** The state of a chain member whose registration is gone. */
    static final String DOWN = "down";

    private final ClusterStatus status;
    private final Map<String, NodeProgress> progress;

    StatusReport(final ClusterStatus status, final Map<String, NodeProgress> progress)
    {
        this.status = status;
        this.progress = progress;
    }

    /**
     * The report {@code status} prints and {@code watch} refreshes.
     *
     * @param status         the cluster as ZooKeeper holds it.
     * @param probeTimeoutMs how long to wait for each node's metrics endpoint; 0 reads none.
     * @return the status with each live node's progress.
     */
    static StatusReport probe(final ClusterStatus status, final long probeTimeoutMs)
    {
        return new StatusReport(status, probeTimeoutMs <= 0 ? Map.of() :
            NodeProbe.probe(status.liveNodes(), Duration.ofMillis(probeTimeoutMs)));
    }

    /**
     * @param nodeId a node.
     * @return joining, serving or draining from its registration, or {@link #DOWN} if it has none.
     */
    String stateOf(final String nodeId)
    {
        final NodeInfo live = status.liveNodes().get(nodeId);
        return null == live ? DOWN : live.state().name().toLowerCase(Locale.ROOT);
    }

    private Long headApplied(final ChainConfig chain)
    {
        if (chain.members().isEmpty())
        {
            return null;
        }
        final NodeProgress head = progress.get(chain.members().get(0).nodeId());
        return null == head ? null : head.appliedSeq;
    }

    private static Long behind(final Long headApplied, final NodeProgress node)
    {
        return null == headApplied || null == node || null == node.appliedSeq ? null :
            Math.max(0, headApplied - node.appliedSeq);
    }

    String toText()
    {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("cluster ").append(status.clusterName()).append(" (ZooKeeper ").append(status.connectString())
            .append("): ");
        if (null == status.config())
        {
            sb.append("no configuration yet; a master writes epoch 1 once replication-factor nodes have registered\n");
        }
        else
        {
            sb.append("epoch ").append(status.config().epoch()).append('\n');
            for (final ChainConfig chain : status.config().chains())
            {
                appendChain(sb, chain);
            }
        }
        final List<String> spares = status.spares();
        sb.append("spares: ");
        if (spares.isEmpty())
        {
            sb.append("none");
        }
        for (int i = 0; i < spares.size(); i++)
        {
            final NodeInfo spare = status.liveNodes().get(spares.get(i));
            sb.append(i > 0 ? ", " : "").append(spare.nodeId()).append(' ').append(spare.endpoint())
                .append(" (").append(spare.state()).append(')');
        }
        sb.append('\n');
        appendMasters(sb);
        final List<String> notes = new ArrayList<>();
        progress.forEach((nodeId, node) ->
        {
            if (null != node.error)
            {
                notes.add(nodeId + ": " + node.error);
            }
        });
        for (final String note : notes)
        {
            sb.append("note: ").append(note).append('\n');
        }
        return sb.toString();
    }

    private void appendChain(final StringBuilder sb, final ChainConfig chain)
    {
        sb.append("chain ").append(chain.chainId()).append(" (epoch ").append(chain.epoch()).append("): ");
        final List<String> order = new ArrayList<>();
        final List<String> down = new ArrayList<>();
        for (final ChainMember member : chain.members())
        {
            order.add(member.nodeId());
            if (DOWN.equals(stateOf(member.nodeId())))
            {
                down.add(member.nodeId());
            }
        }
        // Scripts read the order from this line (quickstart.sh): nothing else goes on it.
        sb.append(order.isEmpty() ? "(no members)" : String.join(" -> ", order)).append('\n');
        if (!down.isEmpty())
        {
            sb.append("  down: ").append(String.join(", ", down)).append(down.size() == order.size() ?
                " (every member: the chain is unavailable until one comes back with its data)\n" :
                " (session gone: the master splices it out)\n");
        }
        if (null != chain.joiner())
        {
            sb.append("  joining: ").append(chain.joiner().nodeId())
                .append(" (receiving the tail's state; it becomes the tail once caught up)\n");
        }
        final String format = "  %-8s %-9s %-8s %-21s %10s %10s %7s %8s  %s%n";
        sb.append(String.format(format, "NODE", "ROLE", "STATE", "ENDPOINT", "APPLIED", "COMMITTED", "BEHIND",
            "WAIT", "STORE"));
        final Long headApplied = headApplied(chain);
        for (final ChainMember member : chain.members())
        {
            final NodeProgress node = progress.get(member.nodeId());
            sb.append(String.format(format, member.nodeId(), ClusterStatus.roleOf(chain, member.nodeId()),
                stateOf(member.nodeId()), member.endpoint(),
                text(null == node ? null : node.appliedSeq), text(null == node ? null : node.committedSeq),
                text(behind(headApplied, node)), null == node || null == node.commitWaitMs ? "-" : node.commitWaitMs + "ms",
                storeText(node)));
        }
    }

    private void appendMasters(final StringBuilder sb)
    {
        sb.append("masters: ");
        if (status.masters().isEmpty())
        {
            sb.append("none running");
        }
        for (int i = 0; i < status.masters().size(); i++)
        {
            sb.append(i > 0 ? ", " : "").append(status.masters().get(i));
        }
        sb.append('\n');
    }

    private static String text(final Long value)
    {
        return null == value ? "-" : Long.toString(value);
    }

    private static String storeText(final NodeProgress node)
    {
        if (null == node || null == node.storeEntries)
        {
            return "-";
        }
        return node.storeEntries + " keys" + percent(node.storeEntries, node.capacityEntries) + ", " +
            bytes(node.storeBytes) + percent(node.storeBytes, node.capacityBytes) +
            (null == node.sessions ? "" : ", " + node.sessions + " client sessions" +
            percent(node.sessions, node.sessionCapacity));
    }

    private static String percent(final Long used, final Long capacity)
    {
        return null == used || null == capacity || 0 == capacity ? "" :
            String.format(" (%.1f%%)", 100.0 * used / capacity);
    }

    static String bytes(final Long bytes)
    {
        if (null == bytes)
        {
            return "-";
        }
        final String[] units = { "B", "KiB", "MiB", "GiB", "TiB" };
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return 0 == unit ? bytes + " B" : String.format("%.1f %s", value, units[unit]);
    }

    String toJson()
    {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("{\"cluster\":").append(Json.quote(status.clusterName()))
            .append(",\"zk\":").append(Json.quote(status.connectString()))
            .append(",\"epoch\":").append(null == status.config() ? "null" : Long.toString(status.config().epoch()))
            .append(",\"chains\":[");
        if (null != status.config())
        {
            for (int c = 0; c < status.config().chains().size(); c++)
            {
                final ChainConfig chain = status.config().chains().get(c);
                final Long headApplied = headApplied(chain);
                sb.append(c > 0 ? "," : "").append("{\"chainId\":").append(chain.chainId())
                    .append(",\"epoch\":").append(chain.epoch())
                    .append(",\"joiner\":").append(Json.quote(null == chain.joiner() ? null : chain.joiner().nodeId()))
                    .append(",\"members\":[");
                for (int m = 0; m < chain.members().size(); m++)
                {
                    final ChainMember member = chain.members().get(m);
                    final NodeInfo live = status.liveNodes().get(member.nodeId());
                    final NodeProgress node = progress.get(member.nodeId());
                    sb.append(m > 0 ? "," : "").append("{\"nodeId\":").append(Json.quote(member.nodeId()))
                        .append(",\"role\":").append(Json.quote(ClusterStatus.roleOf(chain, member.nodeId())))
                        .append(",\"endpoint\":").append(Json.quote(member.endpoint()))
                        .append(",\"registered\":").append(null != live)
                        .append(",\"state\":").append(Json.quote(stateOf(member.nodeId())));
                    appendProgress(sb, node, behind(headApplied, node));
                    sb.append('}');
                }
                sb.append("]}");
            }
        }
        sb.append("],\"nodes\":[");
        final List<String> spares = status.spares();
        int n = 0;
        for (final NodeInfo node : status.liveNodes().values())
        {
            sb.append(n++ > 0 ? "," : "").append("{\"nodeId\":").append(Json.quote(node.nodeId()))
                .append(",\"endpoint\":").append(Json.quote(node.endpoint()))
                .append(",\"state\":").append(Json.quote(stateOf(node.nodeId())))
                .append(",\"spare\":").append(spares.contains(node.nodeId()))
                .append(",\"metrics\":").append(Json.quote(node.metricsEndpoint()))
                .append('}');
        }
        sb.append("],\"masters\":[");
        for (int i = 0; i < status.masters().size(); i++)
        {
            sb.append(i > 0 ? "," : "").append("{\"id\":").append(Json.quote(status.masters().get(i).id()))
                .append(",\"leader\":").append(status.masters().get(i).leader()).append('}');
        }
        return sb.append("]}").toString();
    }

    private static void appendProgress(final StringBuilder sb, final NodeProgress node, final Long behind)
    {
        if (null == node)
        {
            return;
        }
        sb.append(",\"nodeEpoch\":").append(Json.number(node.epoch))
            .append(",\"appliedSeq\":").append(Json.number(node.appliedSeq))
            .append(",\"committedSeq\":").append(Json.number(node.committedSeq))
            .append(",\"behindHead\":").append(Json.number(behind))
            .append(",\"commitWaitMs\":").append(Json.number(node.commitWaitMs))
            .append(",\"sentList\":").append(Json.number(node.sentList))
            .append(",\"store\":{\"entries\":").append(Json.number(node.storeEntries))
            .append(",\"bytes\":").append(Json.number(node.storeBytes))
            .append(",\"capacityEntries\":").append(Json.number(node.capacityEntries))
            .append(",\"capacityBytes\":").append(Json.number(node.capacityBytes)).append('}')
            .append(",\"clientSessions\":{\"active\":").append(Json.number(node.sessions))
            .append(",\"capacity\":").append(Json.number(node.sessionCapacity)).append('}');
        if (null != node.error)
        {
            sb.append(",\"probeError\":").append(Json.quote(node.error));
        }
    }
}
