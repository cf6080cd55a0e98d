package io.chainkv.faults;

import io.chainkv.faults.cluster.NetworkNamespaces;
import io.chainkv.master.harness.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CI's short fault schedule: a real cluster (ZooKeeper, two masters, four nodes) under every nemesis for about a
 * minute, with Aeron's loss generator in the nodes, and no anomaly in the history. Network partitions need root;
 * without it they are skipped and {@link #networkPartitionsNeedRoot()} says so. The seed comes from
 * {@code -Dchainkv.faults.seed} (default: the time) and is printed in the report.
 */
@Timeout(300)
class FaultScheduleTest
{
    private static final Duration SCHEDULE = Duration.ofSeconds(60);

    @Test
    void shortScheduleOfEveryNemesisFindsNoAnomaly()
    {
        assumeTrue(LocalCluster.nodeSupportsZooKeeper(), "the node on the classpath has no ZooKeeper mode");
        final long seed = Long.getLong("chainkv.faults.seed", System.currentTimeMillis());
        final boolean namespaces = null == NetworkNamespaces.unavailableReason();
        final RunSettings settings = RunSettings.defaults(SCHEDULE, seed,
                Path.of("target", "fault-runs", "short-" + seed).toAbsolutePath())
            .withNodes(4, 4)
            .withSegment(SCHEDULE)
            .withClients(6, 4, 150)
            .withLossRate(0.02)
            .withNemeses(List.of("all"), namespaces);

        final RunReport report = new FaultRun(settings, System.out).run();
        System.out.println(report.toText());

        assertTrue(report.passed(), report::toText);
        assertFalse(report.faultsByNemesis().isEmpty(), "no fault was injected");
        assertTrue(report.segments().get(0).counts().values().stream()
            .mapToInt(byOutcome -> byOutcome.get(io.chainkv.faults.history.Outcome.OK)).sum() > 100,
            "the clients hardly got anything done:\n" + report.toText());
    }

    @Test
    void networkPartitionsNeedRoot()
    {
        final String reason = NetworkNamespaces.unavailableReason();
        assumeTrue(null == reason, () -> "network partition nemeses skipped: " + reason);
    }
}
