package io.chainkv.master.failover;

import io.chainkv.master.harness.LocalCluster;

import java.time.Duration;

/**
 * The cluster the failover tests break: ZooKeeper, a master and three nodes as real processes. One master, because a
 * standby only costs CPU in a test that does not kill the leader (those that do ask for two).
 * <p>
 * Sessions are longer than the 600 ms default so that a test machine busy starting six JVMs on two cores does
 * not suspend healthy nodes; the tests check what happens in a failover, not how fast it is
 * (scripts/measure-failover.sh measures that with the defaults).
 */
final class FailoverClusters
{
    static final int SESSION_TIMEOUT_MS = 1500;
    static final long MAX_ENTRIES = 50_000;

    private FailoverClusters()
    {
    }

    static LocalCluster.Builder builder()
    {
        return LocalCluster.builder()
            .nodes(3)
            .masters(1)
            .sessionTimeoutMs(SESSION_TIMEOUT_MS)
            .maxEntries(MAX_ENTRIES)
            .maxDataBytes(64L * 1024 * 1024)
            .startTimeout(Duration.ofSeconds(120));
    }
}
