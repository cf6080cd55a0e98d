package io.chainkv.node.metrics;

import io.chainkv.metrics.HealthCheck;
import io.chainkv.metrics.MetricsServer;
import io.chainkv.node.membership.SessionLease;
import io.chainkv.node.membership.ZooKeeperMembership;
import io.chainkv.node.replication.NodeCounters;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.Status;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.curator.framework.state.ConnectionState;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A node's metrics and health, served over HTTP ({@link MetricsServer}). Every value is read at scrape time from
 * the node's {@link NodeCounters} (written by the replication agent without locks), its store limits, its lease
 * and its ZooKeeper connection, so the data path does no work for the endpoint. docs/operations.md lists each
 * metric and the alerts built on them.
 */
public final class NodeMetrics implements AutoCloseable
{
    /** The agent updates its heartbeat every 100 ms; this long without one means it is stuck. */
    static final long STUCK_AGENT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long LAG_SAMPLE_INTERVAL_MS = 20;

    private final NodeCounters counters;
    private final SessionLease lease;
    private final Supplier<ZooKeeperMembership> membership;
    private final ReplicationLag lag;
    private final ScheduledExecutorService sampler;
    private final MetricsServer server;

    private NodeMetrics(
        final String nodeId,
        final String cluster,
        final String endpoint,
        final NodeCounters counters,
        final StoreConfig store,
        final SessionLease lease,
        final Supplier<ZooKeeperMembership> membership,
        final String bindHost,
        final int port)
    {
        this.counters = counters;
        this.lease = lease;
        this.membership = membership;
        this.lag = new ReplicationLag(counters::lastAppliedSeq, counters::lastCommittedSeq);
        final PrometheusRegistry registry = new PrometheusRegistry();
        register(registry, nodeId, cluster, endpoint, store);
        this.sampler = Executors.newSingleThreadScheduledExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, "chainkv-metrics-sampler-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        this.sampler.scheduleAtFixedRate(() -> lag.sample(System.nanoTime()), 0, LAG_SAMPLE_INTERVAL_MS,
            TimeUnit.MILLISECONDS);
        // Bound to loopback (the default) it is reachable at loopback only, whatever host the node's endpoint names.
        final String advertisedHost =
            MetricsServer.advertisedHost(bindHost, endpoint.substring(0, endpoint.lastIndexOf(':')));
        try
        {
            this.server = MetricsServer.start(bindHost, port, advertisedHost, registry, this::notLive, this::notReady);
        }
        catch (final RuntimeException ex)
        {
            sampler.shutdownNow();
            throw ex;
        }
    }

    /**
     * Starts the endpoint.
     *
     * @param nodeId     the node.
     * @param cluster    its cluster.
     * @param endpoint   host:port it receives on; the metrics endpoint is advertised on the same host.
     * @param counters   its counters.
     * @param store      its store limits (the capacity metrics).
     * @param lease      its session lease.
     * @param membership its ZooKeeper membership once started (null in a static chain, or until it starts).
     * @param bindHost   address to listen on.
     * @param port       TCP port, 0 for any free one.
     * @return the running endpoint.
     */
    public static NodeMetrics start(
        final String nodeId,
        final String cluster,
        final String endpoint,
        final NodeCounters counters,
        final StoreConfig store,
        final SessionLease lease,
        final Supplier<ZooKeeperMembership> membership,
        final String bindHost,
        final int port)
    {
        return new NodeMetrics(nodeId, cluster, endpoint, counters, store, lease, membership, bindHost, port);
    }

    /**
     * @return host:port of the endpoint, as others reach it.
     */
    public String endpoint()
    {
        return server.endpoint();
    }

    public void close()
    {
        server.close();
        sampler.shutdownNow();
    }

    private String notLive()
    {
        final long sinceHeartbeatNs = System.nanoTime() - counters.heartbeatNs();
        if (0 != counters.heartbeatNs() && sinceHeartbeatNs > STUCK_AGENT_NS)
        {
            return "the replication agent has not run for " + TimeUnit.NANOSECONDS.toMillis(sinceHeartbeatNs) +
                " ms; restart the node";
        }
        return null;
    }

    private String notReady()
    {
        final String stuck = notLive();
        if (null != stuck)
        {
            return stuck;
        }
        final ZooKeeperMembership zk = membership.get();
        if (null != zk && ConnectionState.CONNECTED != zk.connectionState() &&
            ConnectionState.RECONNECTED != zk.connectionState())
        {
            return "ZooKeeper connection " + zk.connectionState() + "; the node answers nothing until it reconnects";
        }
        if (null != zk && zk.waitingForRemoval())
        {
            return "the configuration gives this node id's place to another incarnation (this process before a restart or a " +
                "session loss); waiting to be spliced out, then a spare";
        }
        if (!lease.isValid(System.nanoTime()))
        {
            return "no valid ZooKeeper session lease; the node answers nothing until it confirms its session";
        }
        if (counters.transfer().transfersStoppedNoRoom() > 0)
        {
            return "its store is too small for the chain's data: it stopped its transfer and serves nothing; restart " +
                "it with an empty data directory and max-entries/max-data-bytes at least the members' (see its log)";
        }
        if (NodeCounters.Role.JOINER == counters.role())
        {
            return "joining the chain in epoch " + counters.epoch() + ": receiving the tail's state; it serves once " +
                "caught up and made the tail";
        }
        if (NodeCounters.Role.SPARE == counters.role())
        {
            return "a spare: in no chain in epoch " + counters.epoch() + "; it serves nothing until added to one";
        }
        return null;
    }

    private double zooKeeperConnected()
    {
        final ZooKeeperMembership zk = membership.get();
        if (null == zk)
        {
            return Double.NaN;
        }
        final ConnectionState state = zk.connectionState();
        return ConnectionState.CONNECTED == state || ConnectionState.RECONNECTED == state ? 1 : 0;
    }

    private void register(
        final PrometheusRegistry registry,
        final String nodeId,
        final String cluster,
        final String endpoint,
        final StoreConfig store)
    {
        GaugeWithCallback.builder()
            .name("chainkv_node_info")
            .help("Always 1; its labels say which node this is.")
            .labelNames("node", "cluster", "endpoint")
            .callback((callback) -> callback.call(1, nodeId, cluster, endpoint))
            .register(registry);
        gauge(registry, "chainkv_node_epoch", "Epoch of the configuration the node serves (0 before the first).",
            NodeCounters::epoch);
        GaugeWithCallback.builder()
            .name("chainkv_node_role")
            .help("1 for the node's role in its chain (SPARE when in none), 0 for the others.")
            .labelNames("role")
            .callback((callback) ->
            {
                final NodeCounters.Role current = counters.role();
                for (final NodeCounters.Role role : NodeCounters.Role.values())
                {
                    callback.call(role == current ? 1 : 0, role.name());
                }
            })
            .register(registry);
        CounterWithCallback.builder()
            .name("chainkv_node_requests")
            .help("Client requests answered by this node, by operation and status.")
            .labelNames("op", "status")
            .callback((callback) ->
            {
                for (final OpType op : OpType.values())
                {
                    if (OpType.NULL_VAL == op)
                    {
                        continue;
                    }
                    for (final Status status : Status.values())
                    {
                        if (Status.NULL_VAL != status)
                        {
                            callback.call(counters.requests().count(op, status), op.name(), status.name());
                        }
                    }
                }
            })
            .register(registry);
        counter(registry, "chainkv_node_requests_received", "Client requests received.", NodeCounters::clientRequests);
        counter(registry, "chainkv_node_requests_refused",
            "Client requests refused before they were served (wrong epoch, not head/tail, no lease, too large, full).",
            NodeCounters::rejectedRequests);
        counter(registry, "chainkv_node_updates_applied", "Updates applied to the store.", NodeCounters::updatesApplied);
        gauge(registry, "chainkv_node_applied_seq", "Sequence number of the last update applied.",
            NodeCounters::lastAppliedSeq);
        gauge(registry, "chainkv_node_committed_seq", "Sequence number of the last update known to be committed.",
            NodeCounters::lastCommittedSeq);
        gauge(registry, "chainkv_node_sent_list_updates",
            "Sent-list length: updates forwarded and not yet acknowledged by the tail.", NodeCounters::sentListSize);
        gauge(registry, "chainkv_node_replication_lag_updates",
            "Updates this node applied that are not yet committed (applied seq - committed seq, 0 at the tail).",
            (c) -> Math.max(0, countUpdates(c)));
        GaugeWithCallback.builder()
            .name("chainkv_node_replication_lag_seconds")
            .help("How long the oldest applied but uncommitted update has waited for the tail.")
            .callback((callback) -> callback.call(lag.lagNs() / 1e9))
            .register(registry);
        registry.register(counters.commitLatency());
        gauge(registry, "chainkv_node_store_entries", "Keys in the store, tombstones included.",
            NodeCounters::storeEntries);
        gauge(registry, "chainkv_node_store_data_bytes", "Key and value bytes in the store.",
            NodeCounters::storeDataBytes);
        GaugeWithCallback.builder()
            .name("chainkv_node_store_capacity_entries")
            .help("Keys the store admits (--max-entries).")
            .callback((callback) -> callback.call(store.maxEntries()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("chainkv_node_store_capacity_bytes")
            .help("Key and value bytes the store admits (--max-data-bytes).")
            .callback((callback) -> callback.call(store.maxDataBytes()))
            .register(registry);
        gauge(registry, "chainkv_node_client_sessions", "Client sessions in the exactly-once table.",
            NodeCounters::activeSessions);
        gauge(registry, "chainkv_node_client_sessions_capacity",
            "Client sessions the head admits (--max-client-sessions); a new client is refused SESSIONS_FULL beyond it.",
            NodeCounters::sessionCapacity);
        counter(registry, "chainkv_node_client_sessions_expired",
            "Client sessions this node, as head, ended after --client-session-timeout-ms of silence.",
            NodeCounters::sessionsExpired);
        gauge(registry, "chainkv_node_reply_publications",
            "Open reply publications to clients (bounded by --max-reply-publications).", NodeCounters::replyPublications);
        counter(registry, "chainkv_node_malformed_frames_dropped", "Frames that failed validation, dropped.",
            NodeCounters::malformedFrames);
        counter(registry, "chainkv_node_unauthenticated_frames_dropped",
            "Frames without a valid MAC under a key their stream accepts, dropped unread (docs/security.md).",
            NodeCounters::unauthenticatedFrames);
        counter(registry, "chainkv_node_chunked_messages_refused",
            "Chunked messages refused because incomplete ones held --max-chunked-bytes already.",
            NodeCounters::chunkedMessagesRefused);
        counter(registry, "chainkv_node_stale_messages_dropped",
            "Node-to-node messages of another cluster, chain or epoch, dropped.", NodeCounters::staleMessagesDropped);
        counter(registry, "chainkv_node_unknown_enum_frames_dropped",
            "Frames with an operation, read mode, status or update kind the schema does not know: dropped (client " +
            "requests answered MALFORMED).", NodeCounters::unknownEnumsDropped);
        counter(registry, "chainkv_node_reply_channels_refused",
            "Client requests dropped unanswered because their reply channel is not a unicast IP literal on the client " +
            "reply stream.", NodeCounters::replyChannelsRefused);
        counter(registry, "chainkv_node_replies_dropped", "Replies to clients that could not be sent.",
            NodeCounters::repliesDropped);
        counter(registry, "chainkv_node_reads_answered", "Client reads answered (every member answers reads, CRAQ).",
            NodeCounters::readsAnswered);
        counter(registry, "chainkv_node_version_queries_sent",
            "Reads of a dirty key for which this member asked the tail which version is committed.",
            NodeCounters::versionQueriesSent);
        counter(registry, "chainkv_node_version_queries_answered", "Version queries answered as tail.",
            NodeCounters::versionQueriesAnswered);
        counter(registry, "chainkv_node_resend_requests_sent", "Resend requests sent upstream (gaps, new neighbours).",
            NodeCounters::resendRequestsSent);
        counter(registry, "chainkv_node_resend_requests_received", "Resend requests received from downstream.",
            NodeCounters::resendRequestsReceived);
        counter(registry, "chainkv_node_reconfigurations", "Configurations (epochs) this node has taken.",
            NodeCounters::reconfigurations);
        counter(registry, "chainkv_node_transfers_started", "State transfers this node started as the source tail.",
            (c) -> c.transfer().transfersStarted());
        counter(registry, "chainkv_node_transfers_streamed", "State transfers this node streamed to the end as source.",
            (c) -> c.transfer().transfersStreamed());
        counter(registry, "chainkv_node_transfer_entries_sent", "Entries sent in state transfers.",
            (c) -> c.transfer().entriesSent());
        counter(registry, "chainkv_node_transfer_bytes_sent", "Bytes sent in state transfers.",
            (c) -> c.transfer().bytesSent());
        counter(registry, "chainkv_node_transfers_received_full", "Full state transfers received as joiner.",
            (c) -> c.transfer().fullTransfersReceived());
        counter(registry, "chainkv_node_transfers_received_delta", "Delta state transfers received as rejoining node.",
            (c) -> c.transfer().deltaTransfersReceived());
        counter(registry, "chainkv_node_transfer_entries_received", "Entries received in state transfers.",
            (c) -> c.transfer().entriesReceived());
        counter(registry, "chainkv_node_transfer_bytes_received", "Bytes received in state transfers.",
            (c) -> c.transfer().bytesReceived());
        counter(registry, "chainkv_node_transfers_caught_up", "Transfers after which this node, as joiner, caught up.",
            (c) -> c.transfer().transfersCaughtUp());
        counter(registry, "chainkv_node_transfer_aborts_sent", "TransferAborts sent: a joiner cut off, or a successor " +
            "that asked for updates this node no longer holds.", (c) -> c.transfer().transferAbortsSent());
        counter(registry, "chainkv_node_transfer_aborts_received", "TransferAborts received: this node's transfer was " +
            "stopped, or as a member it lacks updates only a new transfer brings.", (c) -> c.transfer().transferAbortsReceived());
        counter(registry, "chainkv_node_tombstones_collected", "Tombstones removed below the committed point.",
            (c) -> c.transfer().tombstonesCollected());
        counter(registry, "chainkv_node_transfers_stopped_store_too_small", "1 once this node, as joiner, stopped " +
            "its transfer because its store limits are below the chain's data (it asks for none again until restarted).",
            (c) -> c.transfer().transfersStoppedNoRoom());
                GaugeWithCallback.builder()
            .name("chainkv_node_lease_valid")
            .help("1 while the node's ZooKeeper session lease is valid (it may answer), else 0.")
            .callback((callback) -> callback.call(lease.isValid(System.nanoTime()) ? 1 : 0))
            .register(registry);
        GaugeWithCallback.builder()
            .name("chainkv_zookeeper_connected")
            .help("1 while the ZooKeeper connection is up (CONNECTED/RECONNECTED), 0 when SUSPENDED or LOST.")
            .callback((callback) ->
            {
                final double connected = zooKeeperConnected();
                if (!Double.isNaN(connected))
                {
                    callback.call(connected);
                }
            })
            .register(registry);
    }

    private static long countUpdates(final NodeCounters c)
    {
        return c.lastAppliedSeq() - c.lastCommittedSeq();
    }

    private void gauge(
        final PrometheusRegistry registry, final String name, final String help, final ToDoubleFunction<NodeCounters> value)
    {
        GaugeWithCallback.builder()
            .name(name)
            .help(help)
            .callback((callback) -> callback.call(value.applyAsDouble(counters)))
            .register(registry);
    }

    private void counter(
        final PrometheusRegistry registry, final String name, final String help, final ToDoubleFunction<NodeCounters> value)
    {
        CounterWithCallback.builder()
            .name(name)
            .help(help)
            .callback((callback) -> callback.call(value.applyAsDouble(counters)))
            .register(registry);
    }
}
