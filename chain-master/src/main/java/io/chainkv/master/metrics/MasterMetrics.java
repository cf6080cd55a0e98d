package io.chainkv.master.metrics;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ConfigWatcher;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.ChainMaster;
import io.chainkv.metrics.MetricsServer;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A master's metrics and health, served over HTTP: whether it leads, the configuration epoch and the
 * reconfigurations it has seen, each chain's length and members without a registration, the live nodes, and its
 * ZooKeeper connection. Read at scrape time from the master and its own configuration watch.
 */
public final class MasterMetrics implements AutoCloseable
{
    private final ChainMaster master;
    private final CuratorFramework client;
    private final ConfigWatcher watcher;
    private final ConnectionStateListener connectionListener;
    private final AtomicLong reconfigurations = new AtomicLong();
    private final MetricsServer server;
    private volatile ClusterConfig config;
    private volatile ConnectionState connectionState = ConnectionState.CONNECTED;

    private MasterMetrics(
        final ChainMaster master,
        final CuratorFramework client,
        final ClusterPaths paths,
        final String bindHost,
        final int port,
        final String advertisedHost)
    {
        this.master = master;
        this.client = client;
        this.connectionListener = (c, state) -> connectionState = state;
        client.getConnectionStateListenable().addListener(connectionListener);
        this.watcher = new ConfigWatcher(client, paths, this::onConfig);
        watcher.start();
        final PrometheusRegistry registry = new PrometheusRegistry();
        register(registry, paths.cluster());
        this.server = MetricsServer.start(bindHost, port, advertisedHost, registry, () -> null, this::notReady);
    }

    /**
     * @param master         the running master.
     * @param client         its started Curator client.
     * @param paths          its cluster.
     * @param bindHost       address to listen on.
     * @param port           TCP port, 0 for any free one.
     * @param advertisedHost host others reach it at.
     * @return the running endpoint.
     */
    public static MasterMetrics start(
        final ChainMaster master,
        final CuratorFramework client,
        final ClusterPaths paths,
        final String bindHost,
        final int port,
        final String advertisedHost)
    {
        return new MasterMetrics(master, client, paths, bindHost, port, advertisedHost);
    }

    /**
     * @return host:port of the endpoint.
     */
    public String endpoint()
    {
        return server.endpoint();
    }

    public void close()
    {
        server.close();
        watcher.close();
        client.getConnectionStateListenable().removeListener(connectionListener);
    }

    private void onConfig(final ClusterConfig newConfig)
    {
        if (null != config)
        {
            reconfigurations.incrementAndGet();
        }
        config = newConfig;
    }

    private boolean connected()
    {
        return ConnectionState.CONNECTED == connectionState || ConnectionState.RECONNECTED == connectionState;
    }

    private String notReady()
    {
        return connected() ? null :
            "ZooKeeper connection " + connectionState + "; the master cannot lead or follow until it reconnects";
    }

    private void register(final PrometheusRegistry registry, final String cluster)
    {
        GaugeWithCallback.builder()
            .name("chainkv_master_info")
            .help("Always 1; its labels say which master this is.")
            .labelNames("master", "cluster")
            .callback((callback) -> callback.call(1, master.masterId(), cluster))
            .register(registry);
        GaugeWithCallback.builder()
            .name("chainkv_master_leader")
            .help("1 while this master leads (holds the latch), else 0. Exactly one master of a cluster should.")
            .callback((callback) -> callback.call(master.isLeader() ? 1 : 0))
            .register(registry);
        GaugeWithCallback.builder()
            .name("chainkv_master_config_epoch")
            .help("Epoch of the cluster configuration in ZooKeeper (absent before the first).")
            .callback((callback) ->
            {
                final ClusterConfig current = config;
                if (null != current)
                {
                    callback.call(current.epoch());
                }
            })
            .register(registry);
        CounterWithCallback.builder()
            .name("chainkv_master_reconfigurations")
            .help("New configuration epochs seen since this master started (splices, joins, removals).")
            .callback((callback) -> callback.call(reconfigurations.get()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("chainkv_master_live_nodes")
            .help("Nodes with a live registration (their ZooKeeper session is up), in chains or spare.")
            .callback((callback) -> callback.call(master.liveNodes().size()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("chainkv_master_chain_members")
            .help("Members of each chain in the configuration (its replication factor now).")
            .labelNames("chain")
            .callback((callback) ->
            {
                final ClusterConfig current = config;
                if (null != current)
                {
                    for (final ChainConfig chain : current.chains())
                    {
                        callback.call(chain.members().size(), Integer.toString(chain.chainId()));
                    }
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name("chainkv_master_chain_members_down")
            .help("Members of each chain without a live registration: about to be spliced out, or the chain is down.")
            .labelNames("chain")
            .callback((callback) ->
            {
                final ClusterConfig current = config;
                if (null != current)
                {
                    final Set<String> live = master.liveNodes().keySet();
                    for (final ChainConfig chain : current.chains())
                    {
                        int down = 0;
                        for (final ChainMember member : chain.members())
                        {
                            down += live.contains(member.nodeId()) ? 0 : 1;
                        }
                        callback.call(down, Integer.toString(chain.chainId()));
                    }
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name("chainkv_zookeeper_connected")
            .help("1 while the ZooKeeper connection is up (CONNECTED/RECONNECTED), 0 when SUSPENDED or LOST.")
            .callback((callback) -> callback.call(connected() ? 1 : 0))
            .register(registry);
    }
}
