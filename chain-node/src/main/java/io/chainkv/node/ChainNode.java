package io.chainkv.node;

import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeState;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import io.chainkv.node.membership.SessionLease;
import io.chainkv.node.membership.ZooKeeperMembership;
import io.chainkv.node.metrics.NodeMetrics;
import io.chainkv.node.replication.NodeCounters;
import io.chainkv.node.replication.ReplicationAgent;
import io.chainkv.node.replication.ReplyRouter;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.node.store.UntrustedStoreException;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.InvokingAgent;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running storage node: its store, its embedded media driver, the replication agent on its own thread,
 * and, in ZooKeeper mode, its membership (registration, configuration watch, session lease).
 * <p>
 * Closing it leaves ZooKeeper first (so the master splices it out), then stops the agent and the driver
 * (deleting its directory) and closes the store cleanly.
 */
public final class ChainNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ChainNode.class);

    private final ChainStore store;
    private final EmbeddedAeron transport;
    private final NodeCounters counters;
    private final ReplicationAgent agent;
    private final AgentRunner runner;
    private final ZooKeeperMembership membership;
    private final NodeMetrics metrics;

    /**
     * Where a node serves its metrics and health endpoint.
     *
     * @param bindHost address to listen on.
     * @param port     TCP port, 0 for any free one.
     */
    public record MetricsAddress(String bindHost, int port)
    {
    }

    private ChainNode(
        final ChainStore store,
        final EmbeddedAeron transport,
        final NodeCounters counters,
        final ReplicationAgent agent,
        final AgentRunner runner,
        final ZooKeeperMembership membership,
        final NodeMetrics metrics)
    {
        this.metrics = metrics;
        this.store = store;
        this.transport = transport;
        this.counters = counters;
        this.agent = agent;
        this.runner = runner;
        this.membership = membership;
    }

    /**
     * Starts a node of a chain with a static configuration (no ZooKeeper, no failover).
     *
     * @param nodeId      this node's id in the chain configuration.
     * @param config      the chain configuration.
     * @param storeConfig where and how big the store is.
     * @param aeronDir    driver directory, or null for a unique one.
     * @param settings    transport settings.
     * @return the running node.
     */
    public static ChainNode launch(
        final String nodeId,
        final ChainConfig config,
        final StoreConfig storeConfig,
        final File aeronDir,
        final TransportSettings settings)
    {
        final int index = config.indexOf(nodeId);
        if (index < 0)
        {
            throw new IllegalArgumentException("node " + nodeId + " is not a member of the chain: " + config);
        }
        return launch(nodeId, config.members().get(index).endpoint(), config.clusterName(), config.chainId(),
            storeConfig, aeronDir, settings, null, config, NodeState.SERVING, null);
    }

    /**
     * As {@link #launch(String, ChainConfig, StoreConfig, File, TransportSettings)}, serving metrics and health.
     *
     * @param nodeId      this node's id in the chain configuration.
     * @param config      the chain configuration.
     * @param storeConfig where and how big the store is.
     * @param aeronDir    driver directory, or null for a unique one.
     * @param settings    transport settings.
     * @param metrics     where to serve metrics, or null for no endpoint.
     * @return the running node.
     */
    public static ChainNode launch(
        final String nodeId,
        final ChainConfig config,
        final StoreConfig storeConfig,
        final File aeronDir,
        final TransportSettings settings,
        final MetricsAddress metrics)
    {
        final int index = config.indexOf(nodeId);
        if (index < 0)
        {
            throw new IllegalArgumentException("node " + nodeId + " is not a member of the chain: " + config);
        }
        return launch(nodeId, config.members().get(index).endpoint(), config.clusterName(), config.chainId(),
            storeConfig, aeronDir, settings, null, config, NodeState.SERVING, metrics);
    }

    /**
     * Starts a node that registers in ZooKeeper and serves whatever role the master's configuration gives it.
     *
     * @param nodeId      this node's id, unique in the cluster.
     * @param endpoint    host:port it receives on.
     * @param clusterName the cluster to join.
     * @param zooKeeper   how to reach ZooKeeper.
     * @param storeConfig where and how big the store is.
     * @param aeronDir    driver directory, or null for a unique one.
     * @param settings    transport settings.
     * @return the running node.
     */
    public static ChainNode launch(
        final String nodeId,
        final String endpoint,
        final String clusterName,
        final ZooKeeperSettings zooKeeper,
        final StoreConfig storeConfig,
        final File aeronDir,
        final TransportSettings settings)
    {
        return launch(nodeId, endpoint, clusterName, 0, storeConfig, aeronDir, settings, zooKeeper, null,
            NodeState.JOINING, null);
    }

    /**
     * As {@link #launch(String, String, String, ZooKeeperSettings, StoreConfig, File, TransportSettings)}, serving
     * metrics and health and publishing the endpoint in the node's registration.
     *
     * @param nodeId      this node's id, unique in the cluster.
     * @param endpoint    host:port it receives on.
     * @param clusterName the cluster to join.
     * @param zooKeeper   how to reach ZooKeeper.
     * @param storeConfig where and how big the store is.
     * @param aeronDir    driver directory, or null for a unique one.
     * @param settings    transport settings.
     * @param metrics     where to serve metrics, or null for no endpoint.
     * @return the running node.
     */
    public static ChainNode launch(
        final String nodeId,
        final String endpoint,
        final String clusterName,
        final ZooKeeperSettings zooKeeper,
        final StoreConfig storeConfig,
        final File aeronDir,
        final TransportSettings settings,
        final MetricsAddress metrics)
    {
        return launch(nodeId, endpoint, clusterName, 0, storeConfig, aeronDir, settings, zooKeeper, null,
            NodeState.JOINING, metrics);
    }

    /**
     * Starts a backup taker: a node that registers as {@link NodeState#BACKUP}, is given the joiner place of a chain
     * by the master, receives the tail's state like a joiner and is never made a member.
     *
     * @param nodeId      the taker's id, unique in the cluster.
     * @param endpoint    host:port it receives on.
     * @param clusterName the cluster to back up.
     * @param zooKeeper   how to reach ZooKeeper.
     * @param storeConfig where the copy is kept, and how big it may grow.
     * @param aeronDir    driver directory, or null for a unique one.
     * @param settings    transport settings.
     * @return the running taker; {@link #caughtUpEpoch()} turns non-zero when it holds a consistent copy.
     */
    public static ChainNode launchBackupTaker(
        final String nodeId,
        final String endpoint,
        final String clusterName,
        final ZooKeeperSettings zooKeeper,
        final StoreConfig storeConfig,
        final File aeronDir,
        final TransportSettings settings)
    {
        return launch(nodeId, endpoint, clusterName, 0, storeConfig, aeronDir, settings, zooKeeper, null,
            NodeState.BACKUP, null);
    }

    /**
     * A store holds one cluster's history: a new (or restored) store is adopted by this cluster, and a store of
     * another cluster is refused before the node registers, as a rejoin would trust its versions.
     */
    private static void adoptStore(final ChainStore store, final String clusterName, final StoreConfig storeConfig)
    {
        final long clusterId = ChainConfig.clusterIdOf(clusterName);
        final long held = store.clusterId();
        if (0 == held)
        {
            store.clusterId(clusterId);
        }
        else if (held != clusterId)
        {
            throw new IllegalStateException("the data directory " + storeConfig.dataDir() + " holds the data of " +
                "another cluster (id " + Long.toHexString(held) + "), not of cluster '" + clusterName + "' (id " +
                Long.toHexString(clusterId) + "); start the node with that cluster's name, give it this cluster's " +
                "data directory, or empty the directory to join as a new node");
        }
    }

    private static ChainStore openForStaticChain(final StoreConfig storeConfig)
    {
        try
        {
            return ChainStore.open(storeConfig);
        }
        catch (final UntrustedStoreException ex)
        {
            throw new UntrustedStoreException(ex.getMessage() + "; a node of a static chain has no state transfer to" +
                " rejoin by: stop the chain and give this node a copy of another member's data directory, or start it" +
                " on an empty one with a chain started afresh");
        }
    }

    private static ChainNode launch(
        final String nodeId,
        final String endpoint,
        final String clusterName,
        final int chainId,
        final StoreConfig storeConfig,
        final File aeronDir,
        final TransportSettings settings,
        final ZooKeeperSettings zooKeeper,
        final ChainConfig staticConfig,
        final NodeState registerAs,
        final MetricsAddress metricsAddress)
    {
        ChainStore store = null;
        EmbeddedAeron transport = null;
        NodeCounters counters = null;
        AgentRunner runner = null;
        NodeMetrics metrics = null;
        try
        {
            // A store the node cannot vouch for is never served from (docs/store.md, "Which stores a node trusts"). In a
            // cluster the node sets it aside and rejoins by a full transfer; a static chain has no transfer to rejoin
            // by, so there the node refuses to start and says why.
            store = null == zooKeeper ? openForStaticChain(storeConfig) : ChainStore.openSettingAsideUntrusted(storeConfig);
            adoptStore(store, clusterName, storeConfig);
            final File driverDir = null != aeronDir ? aeronDir : EmbeddedAeron.uniqueDirectory("node-" + nodeId);
            // Invoker mode: the agent thread also runs the driver (see TransportSettings.NODE_DRIVER_THREADING_PROP);
            // every blocking Aeron call of the node must then come from that thread, or from this one before it starts.
            // Counters for every reply publication the budget allows: Aeron refuses new publications and images once
            // its counters run out, and the node would stop answering new clients.
            transport = EmbeddedAeron.launch(driverDir, settings,
                ReplyRouter.countersFor(ReplyRouter.maxPublicationsFromSystemProperties()), settings.nodeDriverInvoked());
            final TransportSettings agentSettings = transport.isInvoked() ? settings.drivingWhileIdle(transport) : settings;
            counters = new NodeCounters(transport.aeron(), nodeId);
            final SessionLease lease = null == zooKeeper ?
                SessionLease.unbounded() : ZooKeeperMembership.leaseFor(zooKeeper);
            final ReplicationAgent agent = new ReplicationAgent(
                nodeId, endpoint, clusterName, chainId, store, transport.aeron(), agentSettings, counters, lease);
            if (null != staticConfig)
            {
                agent.offerConfig(staticConfig);
            }
            // An exception is logged and the agent goes on with its next duty cycle. An Error ends the thread (the runner
            // rethrows it) and goes to its uncaught exception handler: NodeMain's halts the process (FatalErrors); embedded,
            // the heartbeat stops and the lease keeper gives up the node's place (docs/failures.md).
            runner = new AgentRunner(settings.newIdleStrategy(),
                (ex) ->
                {
                    if (!(ex instanceof Error))
                    {
                        LOG.error("node={} replication agent error", nodeId, ex);
                    }
                }, null,
                transport.isInvoked() ? new InvokingAgent(transport, agent) : agent);
            AgentRunner.startOnThread(runner);

            // The endpoint starts before the membership so the registration can name it.
            final AtomicReference<ZooKeeperMembership> started = new AtomicReference<>();
            metrics = null == metricsAddress ? null : NodeMetrics.start(nodeId, clusterName, endpoint, counters,
                store.config(), lease, started::get, metricsAddress.bindHost(), metricsAddress.port());
            final NodeInfo self = new NodeInfo(nodeId, endpoint, registerAs, 0, store.lastCommittedSeq())
                .withHistory(store.memberEpoch(), store.lastAppliedSeq())
                .withMetricsEndpoint(null == metrics ? null : metrics.endpoint());
            final ZooKeeperMembership membership = null == zooKeeper ? null : ZooKeeperMembership.start(zooKeeper,
                clusterName, chainId, self, lease, agent::offerConfig, agent.membershipReport(), agent.heartbeat());
            started.set(membership);
            LOG.info("node={} endpoint={} cluster={} {} (store: {} entries, last applied seq {}{}, {})", nodeId, endpoint,
                clusterName, null == zooKeeper ? "static chain " + staticConfig : "ZooKeeper " + zooKeeper,
                store.entryCount(), store.lastAppliedSeq(),
                null == store.setAsideTo() ? "" : ", an untrusted store set aside in " + store.setAsideTo(), settings);
            return new ChainNode(store, transport, counters, agent, runner, membership, metrics);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(metrics, runner, counters, transport, store);
            throw ex;
        }
    }

    /**
     * @return the chain epoch in which this node, as joiner or backup taker, caught up with the tail; 0 if it has not.
     */
    public long caughtUpEpoch()
    {
        return agent.membershipReport().caughtUpEpoch();
    }

    /**
     * @return the node's store; read it only once the node is closed, or from tests that know the node is idle.
     */
    public ChainStore store()
    {
        return store;
    }

    /**
     * @return the node's counters.
     */
    public NodeCounters counters()
    {
        return counters;
    }

    /**
     * @return host:port of the metrics and health endpoint, or null if it serves none.
     */
    public String metricsEndpoint()
    {
        return null == metrics ? null : metrics.endpoint();
    }

    public void close()
    {
        CloseHelper.closeAll(membership, metrics, runner, counters, transport, store);
    }
}
