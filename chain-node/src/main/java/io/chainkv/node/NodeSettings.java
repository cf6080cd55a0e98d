package io.chainkv.node;

import io.chainkv.config.ProcessSettings;
import io.chainkv.config.Setting;
import io.chainkv.node.replication.ReplicationAgent;
import io.chainkv.node.replication.ReplyRouter;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.node.transfer.TombstoneCollector;
import io.chainkv.protocol.ProtocolLimits;
import io.chainkv.transport.MessageAssembler;
import io.chainkv.transport.TransportSettings;

import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of a storage node, declared once with its default and documentation. {@link NodeMain} turns them
 * into flags, system properties and settings-file keys, and prints their effective values at start.
 */
public final class NodeSettings
{
    public static final Setting NODE_ID = Setting.of("node-id", Setting.Kind.TEXT, null,
        "This node's id, unique in the cluster ([A-Za-z0-9_.-]+). Required.");

    public static final Setting DATA_DIR = Setting.of("data-dir", Setting.Kind.PATH, null,
        "Directory of the node's store (Chronicle Map files, metadata). Required. Size it with docs/operations.md.");

    public static final Setting ENDPOINT = Setting.of("endpoint", Setting.Kind.TEXT, null,
        "host:port this node receives on (UDP), as other nodes and clients reach it. Required with --zk.");

    public static final Setting STATIC_CONFIG = Setting.of("config", Setting.Kind.PATH, null,
        "Static chain configuration file (cluster.name, chain.id, epoch, members): no ZooKeeper, no failover. " +
        "Give either this or --zk.");

    public static final Setting AERON_DIR = Setting.of("aeron-dir", Setting.Kind.PATH, null,
        "Media driver directory (default: a unique one under /dev/shm, deleted on exit).");

    public static final Setting MAX_ENTRIES = Setting.of("max-entries", Setting.Kind.LONG, "1000000",
        "Keys (tombstones included) the store admits; fixed when the store is created.");

    public static final Setting MAX_DATA_BYTES = Setting.of("max-data-bytes", Setting.Kind.LONG,
        Long.toString(1024L * 1024 * 1024), "Key and value bytes the store admits; fixed when the store is created.");

    public static final Setting MAX_KEY_BYTES = Setting.of("max-key-bytes", Setting.Kind.INT,
        Integer.toString(ProtocolLimits.DEFAULT_MAX_KEY_LENGTH), "Largest key in bytes.");

    public static final Setting MAX_VALUE_BYTES = Setting.of("max-value-bytes", Setting.Kind.INT,
        Integer.toString(ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH), "Largest value in bytes.");

    public static final Setting TOMBSTONE_RETENTION_MS = Setting.of("tombstone-retention-ms", Setting.Kind.LONG,
        Long.toString(TombstoneCollector.DEFAULT_RETENTION_MS), "How long a committed delete is kept as a tombstone: " +
        "a node away for less rejoins by a delta, a node away longer takes a full transfer (docs/healing.md).");

    public static final Setting JOINER_BACKLOG_MAX_BYTES = Setting.of("joiner-backlog-max-bytes", Setting.Kind.LONG,
        Long.toString(ReplicationAgent.DEFAULT_JOINER_BACKLOG_MAX_BYTES), "How many bytes of updates a tail keeps for a " +
        "joiner that has not acknowledged them before it stops feeding it and tells it to transfer again, so a slow " +
        "joiner never fills the tail's Sent list and stalls the chain (docs/healing.md).");

    public static final Setting MAX_CLIENT_SESSIONS = Setting.of("max-client-sessions", Setting.Kind.INT,
        Integer.toString(StoreConfig.DEFAULT_MAX_CLIENTS), "Client sessions the exactly-once table holds at once (each " +
        "client instance that writes is one until it closes or falls silent); the head refuses a new client's first " +
        "write with SESSIONS_FULL beyond it. Fixed when the store is created.");

    public static final Setting CLIENT_SESSION_TIMEOUT_MS = Setting.of("client-session-timeout-ms", Setting.Kind.LONG,
        Long.toString(ReplicationAgent.DEFAULT_SESSION_TIMEOUT_MS), "How long the head keeps the session of a client " +
        "it has not heard from (clients send a keepalive when idle) before it ends it for every member; a later " +
        "request of that session is answered SESSION_EXPIRED. Keep it well above clients' request timeout.");

    public static final Setting MAX_REPLY_PUBLICATIONS = Setting.of("max-reply-publications", Setting.Kind.INT,
        Integer.toString(ReplyRouter.DEFAULT_MAX_PUBLICATIONS), "Clients this node keeps a reply publication open to " +
        "at once (least recently used closed first); the media driver's counters are sized for it.");

    public static final Setting MAX_CHUNKED_BYTES = Setting.of("max-chunked-bytes", Setting.Kind.LONG,
        Long.toString(MessageAssembler.DEFAULT_MAX_PARTIAL_BYTES), "Bytes that large messages arriving in chunks may " +
        "hold while incomplete, per stream, from all senders together; a chunked message beyond it is refused and " +
        "counted (its sender retries). At least the largest message (max-key-bytes + max-value-bytes).");

    public static final Setting REPLY_IDLE_TIMEOUT_MS = Setting.of("reply-idle-timeout-ms", Setting.Kind.LONG,
        Long.toString(ReplyRouter.DEFAULT_IDLE_TIMEOUT_MS), "A reply publication to a client unused this long is " +
        "closed (it is also closed when the client's session ends).");

    /** Every node setting, in the order help and the start-up listing show them. */
    public static final List<Setting> ALL = all();

    private NodeSettings()
    {
    }

    private static List<Setting> all()
    {
        final List<Setting> all = new ArrayList<>(List.of(NODE_ID, DATA_DIR, ProcessSettings.ZK, ProcessSettings.CLUSTER,
            ENDPOINT, STATIC_CONFIG, ProcessSettings.SESSION_TIMEOUT_MS, ProcessSettings.CONNECTION_TIMEOUT_MS,
            MAX_ENTRIES, MAX_DATA_BYTES, MAX_KEY_BYTES, MAX_VALUE_BYTES, ProcessSettings.METRICS_PORT,
            ProcessSettings.METRICS_HOST, AERON_DIR, TOMBSTONE_RETENTION_MS, JOINER_BACKLOG_MAX_BYTES, MAX_CLIENT_SESSIONS,
            CLIENT_SESSION_TIMEOUT_MS, MAX_REPLY_PUBLICATIONS, REPLY_IDLE_TIMEOUT_MS, MAX_CHUNKED_BYTES,
            ProcessSettings.ZOOKEEPER_AUTH));
        all.addAll(TransportSettings.SETTINGS);
        return List.copyOf(all);
    }
}
