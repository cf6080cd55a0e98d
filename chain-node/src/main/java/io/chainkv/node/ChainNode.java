package io.chainkv.node;

import io.chainkv.config.ChainConfig;
import io.chainkv.node.membership.SessionLease;
import io.chainkv.node.replication.NodeCounters;
import io.chainkv.node.replication.ReplicationAgent;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;

/**
 * A running storage node: its store, its embedded media driver and the replication agent on its own
 * thread. Closing it stops the agent, the driver (deleting its directory) and closes the store cleanly.
 */
public final class ChainNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ChainNode.class);

    private final ChainStore store;
    private final EmbeddedAeron transport;
    private final NodeCounters counters;
    private final ReplicationAgent agent;
    private final AgentRunner runner;

    private ChainNode(
        final ChainStore store,
        final EmbeddedAeron transport,
        final NodeCounters counters,
        final ReplicationAgent agent,
        final AgentRunner runner)
    {
        this.store = store;
        this.transport = transport;
        this.counters = counters;
        this.agent = agent;
        this.runner = runner;
    }

    /**
     * Opens the store, starts the transport and the replication agent.
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
        if (config.indexOf(nodeId) < 0)
        {
            throw new IllegalArgumentException("node " + nodeId + " is not a member of the chain: " + config);
        }

        ChainStore store = null;
        EmbeddedAeron transport = null;
        NodeCounters counters = null;
        try
        {
            store = ChainStore.open(storeConfig);
            transport = EmbeddedAeron.launch(null != aeronDir ? aeronDir : EmbeddedAeron.uniqueDirectory("node-" + nodeId),
                settings);
            counters = new NodeCounters(transport.aeron(), nodeId);
            final ReplicationAgent agent = new ReplicationAgent(
                nodeId, config, store, transport.aeron(), settings, counters, SessionLease.unbounded());
            final AgentRunner runner = new AgentRunner(settings.newIdleStrategy(),
                (ex) -> LOG.error("node={} replication agent error", nodeId, ex), null, agent);
            AgentRunner.startOnThread(runner);
            LOG.info("node={} epoch={} role={} serving {} (store: {} entries, last applied seq {}, {})", nodeId,
                config.epoch(), agent.role(), config, store.entryCount(), store.lastAppliedSeq(), settings);
            return new ChainNode(store, transport, counters, agent, runner);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(counters, transport, store);
            throw ex;
        }
    }

    /**
     * @return the node's role when it started: HEAD, MIDDLE, TAIL or HEAD_TAIL.
     */
    public String role()
    {
        return agent.role();
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
        CloseHelper.closeAll(runner, counters, transport, store);
    }
}
