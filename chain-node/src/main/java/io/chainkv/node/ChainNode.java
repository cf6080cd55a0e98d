package io.chainkv.node;

import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeState;
import io.chainkv.node.membership.SessionLease;
import io.chainkv.node.membership.ZooKeeperMembership;
import io.chainkv.node.replication.NodeCounters;
import io.chainkv.node.replication.ReplicationAgent;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.InvokingAgent;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;

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

    private ChainNode(
        final ChainStore store,
        final EmbeddedAeron transport,
        final NodeCounters counters,
        final ReplicationAgent agent,
        final AgentRunner runner,
        final ZooKeeperMembership membership)
    {
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
            storeConfig, aeronDir, settings, null, config, NodeState.SERVING);
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
            NodeState.JOINING);
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
            NodeState.BACKUP);
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
        final NodeState registerAs)
    {
        ChainStore store = null;
        EmbeddedAeron transport = null;
        NodeCounters counters = null;
        AgentRunner runner = null;
        try
        {
            store = ChainStore.open(storeConfig);
            final File driverDir = null != aeronDir ? aeronDir : EmbeddedAeron.uniqueDirectory("node-" + nodeId);
            // Invoker mode: the agent thread also runs the driver (see TransportSettings.NODE_DRIVER_THREADING_PROP);
            // every blocking Aeron call of the node must then come from that thread, or from this one before it starts.
            transport = settings.nodeDriverInvoked() ?
                EmbeddedAeron.launchInvoked(driverDir, settings) : EmbeddedAeron.launch(driverDir, settings);
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
            runner = new AgentRunner(settings.newIdleStrategy(),
                (ex) -> LOG.error("node={} replication agent error", nodeId, ex), null,
                transport.isInvoked() ? new InvokingAgent(transport, agent) : agent);
            AgentRunner.startOnThread(runner);

            final ZooKeeperMembership membership = null == zooKeeper ? null :
                ZooKeeperMembership.start(zooKeeper, clusterName, chainId,
                    new NodeInfo(nodeId, endpoint, registerAs, 0, store.lastCommittedSeq()), lease, agent::offerConfig,
                    agent::caughtUpEpoch);
            LOG.info("node={} endpoint={} cluster={} {} (store: {} entries, last applied seq {}, {})", nodeId, endpoint,
                clusterName, null == zooKeeper ? "static chain " + staticConfig : "ZooKeeper " + zooKeeper,
                store.entryCount(), store.lastAppliedSeq(), settings);
            return new ChainNode(store, transport, counters, agent, runner, membership);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(runner, counters, transport, store);
            throw ex;
        }
    }

    /**
     * @return the chain epoch in which this node, as joiner or backup taker, caught up with the tail; 0 if it has not.
     */
    public long caughtUpEpoch()
    {
        return agent.caughtUpEpoch();
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

    public void close()
    {
        CloseHelper.closeAll(membership, runner, counters, transport, store);
    }
}
