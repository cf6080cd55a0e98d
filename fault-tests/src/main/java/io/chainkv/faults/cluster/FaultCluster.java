package io.chainkv.faults.cluster;

import io.chainkv.client.ClientConfig;
import io.chainkv.cluster.ClusterConfig;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.master.harness.MasterProcess;
import io.chainkv.node.harness.NodeProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster a fault run breaks: a {@link LocalCluster} (ZooKeeper, masters, nodes as real processes), its nodes
 * in network namespaces when partitions are wanted, and optionally Aeron's loss generator in every node.
 * <p>
 * ZooKeeper is one standalone server, or, with {@value #ZOOKEEPER_SERVERS_PROP}{@code =3}, a real 3-server ensemble;
 * with namespaces, each of its servers lives in a namespace of its own, so {@link NetworkNamespaces#partitionServer}
 * can cut one off from the others.
 */
public final class FaultCluster implements AutoCloseable
{
    /** System property: how many ZooKeeper servers a fault run's clusters have (1, the default, or 3). */
    public static final String ZOOKEEPER_SERVERS_PROP = "chainkv.faults.zookeeper.servers";

    private final LocalCluster cluster;
    private final NetworkNamespaces network;
    /** Seconds, not the default ten minutes, so tombstones are collected while the nemeses run. */
    static final long TOMBSTONE_RETENTION_MS = 3_000;

    private final int sessionTimeoutMs;
    private final double lossRate;

    private FaultCluster(
        final LocalCluster cluster, final NetworkNamespaces network, final int sessionTimeoutMs, final double lossRate)
    {
        this.cluster = cluster;
        this.network = network;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.lossRate = lossRate;
    }

    /**
     * Starts a cluster.
     *
     * @param name              directory name under {@code baseDir}.
     * @param baseDir           where clusters keep logs and data.
     * @param nodes             node count.
     * @param replicationFactor chain length at bootstrap; the other nodes are spares.
     * @param sessionTimeoutMs  ZooKeeper session of nodes and masters.
     * @param withNamespaces    put each node in a network namespace (needs root).
     * @param lossRate          fraction of data packets each node's media driver drops on receipt (0 for none).
     * @param heal              false to start the masters with {@code --no-heal} (chains only shrink).
     * @return the running cluster; close it.
     */
    public static FaultCluster start(
        final String name,
        final Path baseDir,
        final int nodes,
        final int replicationFactor,
        final int sessionTimeoutMs,
        final boolean withNamespaces,
        final double lossRate,
        final boolean heal)
    {
        return start(name, baseDir, nodes, replicationFactor, sessionTimeoutMs, withNamespaces, lossRate, heal,
            Integer.getInteger(ZOOKEEPER_SERVERS_PROP, 1));
    }

    /**
     * Starts a cluster.
     *
     * @param name              directory name under {@code baseDir}.
     * @param baseDir           where clusters keep logs and data.
     * @param nodes             node count.
     * @param replicationFactor chain length at bootstrap; the other nodes are spares.
     * @param sessionTimeoutMs  ZooKeeper session of nodes and masters.
     * @param withNamespaces    put each node (and each server of an ensemble) in a network namespace (needs root).
     * @param lossRate          fraction of data packets each node's media driver drops on receipt (0 for none).
     * @param heal              false to start the masters with {@code --no-heal} (chains only shrink).
     * @param zooKeeperServers  1 for a standalone ZooKeeper server, 3 for a real ensemble.
     * @return the running cluster; close it.
     */
    public static FaultCluster start(
        final String name,
        final Path baseDir,
        final int nodes,
        final int replicationFactor,
        final int sessionTimeoutMs,
        final boolean withNamespaces,
        final double lossRate,
        final boolean heal,
        final int zooKeeperServers)
    {
        final List<String> nodeIds = new ArrayList<>();
        for (int i = 1; i <= nodes; i++)
        {
            nodeIds.add("n" + i);
        }
        final NetworkNamespaces network = withNamespaces ?
            NetworkNamespaces.create(nodeIds, zooKeeperServers > 1 ? zooKeeperServers : 0) : null;
        try
        {
            final LocalCluster.Builder builder = LocalCluster.builder()
                .name(name)
                .baseDir(baseDir)
                .clusterName("faults")
                .nodes(nodes)
                .masters(2)
                .replicationFactor(replicationFactor)
                .sessionTimeoutMs(sessionTimeoutMs)
                .maxEntries(200_000)
                .maxDataBytes(64L * 1024 * 1024)
                .jvmArg("-Xmx192m")
                .jvmArg("-XX:+UseSerialGC")
                .jvmArg("-XX:TieredStopAtLevel=1")
                // Collected deletes and the horizon that travels with transfers come into play within a segment.
                .nodeArgs("--tombstone-retention-ms", Long.toString(TOMBSTONE_RETENTION_MS))
                // A whole-cluster restart (the kill-all nemesis) re-forms the chain within a segment.
                .masterArgs("--restart-grace-ms", "2000")
                .startTimeout(Duration.ofSeconds(120));
            if (null != network)
            {
                builder.nodeNetwork(network);
            }
            if (zooKeeperServers > 1)
            {
                builder.zooKeeperServers(zooKeeperServers);
                if (null != network)
                {
                    builder.zooKeeperNetwork(network);
                }
            }
            if (lossRate > 0)
            {
                builder.nodeSystemProperty("aeron.ReceiveChannelEndpoint.supplier",
                        "io.aeron.driver.ext.DebugReceiveChannelEndpointSupplier")
                    .nodeSystemProperty("aeron.debug.receive.data.loss.rate", Double.toString(lossRate))
                    .nodeSystemProperty("aeron.debug.receive.data.loss.seed", "-1")
                    .nodeSystemProperty("aeron.debug.receive.control.loss.rate", Double.toString(lossRate / 2))
                    .nodeSystemProperty("aeron.debug.receive.control.loss.seed", "-1");
            }
            if (!heal)
            {
                builder.masterArgs("--no-heal");
            }
            return new FaultCluster(builder.start(), network, sessionTimeoutMs, lossRate);
        }
        catch (final RuntimeException ex)
        {
            if (null != network)
            {
                network.close();
            }
            throw ex;
        }
    }

    public LocalCluster local()
    {
        return cluster;
    }

    /**
     * @return the nodes' network namespaces, or null when the nodes run in the root namespace.
     */
    public NetworkNamespaces network()
    {
        return network;
    }

    public int sessionTimeoutMs()
    {
        return sessionTimeoutMs;
    }

    public double lossRate()
    {
        return lossRate;
    }

    /**
     * @return a client configuration for this cluster; replies come back across the namespaces when there are any.
     */
    public ClientConfig clientConfig()
    {
        final ClientConfig config = cluster.clientConfig();
        return null == network ? config : config.replyHost(network.clientHost());
    }

    /**
     * @return chain 0 as the newest configuration says, or null before the first.
     */
    public ChainConfig chain()
    {
        final ClusterConfig config = cluster.currentConfig();
        return null == config ? null : config.chain(0);
    }

    /**
     * @return chain 0's members, head first, as the newest configuration says; empty before the first.
     */
    public List<String> chainMembers()
    {
        final ClusterConfig config = cluster.currentConfig();
        final ChainConfig chain = null == config ? null : config.chain(0);
        final List<String> members = new ArrayList<>();
        if (null != chain)
        {
            for (final ChainMember member : chain.members())
            {
                members.add(member.nodeId());
            }
        }
        return members;
    }

    /**
     * @return chain members whose process runs and is not paused: how many the chain can still lose is one less. A
     * provisional tail does not count: if the member before it goes, it goes back to joining.
     */
    public List<String> healthyMembers()
    {
        final List<String> healthy = new ArrayList<>();
        final ChainConfig chain = chain();
        for (final String id : chainMembers())
        {
            if (chain.tailProvisional() && chain.tail().nodeId().equals(id))
            {
                continue;
            }
            final NodeProcess node = cluster.node(id);
            if (node.isAlive() && !node.isPaused())
            {
                healthy.add(id);
            }
        }
        return healthy;
    }

    /**
     * @return the role of a node in chain 0: HEAD, MIDDLE, TAIL, HEAD_TAIL, or SPARE.
     */
    public String roleOf(final String nodeId)
    {
        final List<String> members = chainMembers();
        final int index = members.indexOf(nodeId);
        if (index < 0)
        {
            return "SPARE";
        }
        if (members.size() == 1)
        {
            return "HEAD_TAIL";
        }
        return index == 0 ? "HEAD" : index == members.size() - 1 ? "TAIL" : "MIDDLE";
    }

    public List<NodeProcess> nodes()
    {
        return cluster.nodes();
    }

    public List<MasterProcess> masters()
    {
        return cluster.masters();
    }

    /**
     * Undoes every fault still in place: network healed, paused processes resumed, ZooKeeper and masters running.
     * Killed nodes stay down (their restart is a nemesis's business).
     */
    public void healEverything()
    {
        if (null != network)
        {
            network.healAll();
        }
        for (final NodeProcess node : cluster.nodes())
        {
            if (node.isPaused())
            {
                node.sigcont();
            }
        }
        for (final MasterProcess master : cluster.masters())
        {
            if (master.process().isPaused())
            {
                master.sigcont();
            }
        }
        for (final io.chainkv.node.harness.ChildProcess server : cluster.zooKeeperServers())
        {
            if (!server.isAlive())
            {
                server.restart();
            }
        }
        for (final MasterProcess master : cluster.masters())
        {
            if (!master.isAlive())
            {
                master.restart();
            }
        }
    }

    public void close()
    {
        try
        {
            cluster.close();
        }
        finally
        {
            if (null != network)
            {
                network.close();
            }
        }
    }
}
