package io.chainkv.master;

import io.chainkv.config.ProcessSettings;
import io.chainkv.config.Setting;
import io.chainkv.master.zk.EmbeddedZooKeeper;
import io.chainkv.transport.TransportSettings;

import java.util.List;

/**
 * Every setting of a master, declared once with its default and documentation. {@link MasterMain} turns them
 * into flags, system properties and settings-file keys, and logs their effective values at start.
 */
public final class MasterSettings
{
    public static final Setting MASTER_ID = Setting.of("master-id", Setting.Kind.TEXT, null,
        "Id of this master in the election (default: host-pid). Give each master a stable one.");

    public static final Setting EMBEDDED_ZK = Setting.of("embedded-zk", Setting.Kind.INT, null,
        "Start a ZooKeeper server in this process on this port (0: any free port) and use it; for trials only. " +
        "Give either this or --zk.");

    public static final Setting EMBEDDED_ZK_HOST = Setting.of("embedded-zk-host", Setting.Kind.TEXT,
        EmbeddedZooKeeper.DEFAULT_HOST, "Address the embedded ZooKeeper listens on: loopback by default, so only " +
        "this host reaches it (it has no authentication); 0.0.0.0 or an interface's address for nodes on other hosts.");

    public static final Setting REPLICATION_FACTOR = Setting.of("replication-factor", Setting.Kind.INT, "3",
        "Chain length the master builds at bootstrap: a chain of R nodes keeps every acknowledged write while " +
        "any one of them survives.");

    public static final Setting HEAL = Setting.of("heal", Setting.Kind.BOOLEAN, "true",
        "Give a chain shorter than the replication factor a spare node, which joins at the tail by a state " +
        "transfer; --no-heal (or false) leaves chains short.");

    public static final Setting RESTART_GRACE_MS = Setting.of("restart-grace-ms", Setting.Kind.LONG,
        Long.toString(ChainPlanner.DEFAULT_RESTART_GRACE_MS), "After every member of a chain went down (a power cut, " +
        "a whole-cluster restart), how long to wait for all of them to come back once one restarted member could " +
        "re-form the chain; then it is re-formed from the one with the longest history and the others rejoin it.");

    public static final Setting TICK_MS = Setting.of("tick-ms", Setting.Kind.INT,
        Integer.toString(EmbeddedZooKeeper.DEFAULT_TICK_MS), "Tick of the embedded ZooKeeper server.");

    public static final Setting ZK_DATA_DIR = Setting.of("data-dir", Setting.Kind.PATH, null,
        "Data directory of the embedded ZooKeeper (default: a temporary directory deleted on exit).");

    /** Every master setting, in the order help and the start-up listing show them. */
    public static final List<Setting> ALL = List.of(MASTER_ID, ProcessSettings.ZK, EMBEDDED_ZK, EMBEDDED_ZK_HOST,
        ProcessSettings.CLUSTER,
        REPLICATION_FACTOR, HEAL, RESTART_GRACE_MS, ProcessSettings.SESSION_TIMEOUT_MS, ProcessSettings.CONNECTION_TIMEOUT_MS,
        ProcessSettings.METRICS_PORT, ProcessSettings.METRICS_HOST, TICK_MS, ZK_DATA_DIR, ProcessSettings.ZOOKEEPER_AUTH,
        TransportSettings.KEY_FILE);

    private MasterSettings()
    {
    }
}
