package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.FatalErrors;
import io.chainkv.master.MasterFaultHooks;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.master.harness.MasterProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A master whose evaluation thread dies of an {@link Error} halts, and a standby takes over (docs/failures.md, "The
 * replication thread dies or is stuck"). Real processes; the error comes from the test hook
 * {@link MasterFaultHooks#FAULT_DIR_PROP}.
 * <p>
 * Before, the executor kept the error in a Future no one read: the leader kept its latch and never evaluated again, so
 * no dead node was spliced out.
 */
@Timeout(240)
class MasterThreadErrorTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path faultDir;

    private LocalCluster cluster;
    private ChainKvClient client;
    private ContinuousWriters writers;

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != writers)
        {
            writers.close();
        }
        CloseHelper.quietCloseAll(client, cluster);
    }

    @Test
    void anErrorOnTheLeadersEvaluationThreadHaltsItAndTheStandbySplicesInItsPlace() throws Exception
    {
        cluster = FailoverClusters.builder().masters(2)
            .systemProperty(MasterFaultHooks.FAULT_DIR_PROP, faultDir.toString())
            .start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(10)));
        writers = new ContinuousWriters(client, 4);
        writers.awaitProgress(100, WAIT);
        final MasterProcess leader = cluster.awaitLeader(WAIT);

        // Evaluated at the latest at the next resync (ChainMaster.DEFAULT_RESYNC_INTERVAL).
        Files.writeString(faultDir.resolve(leader.id() + MasterFaultHooks.EVALUATION_ERROR_SUFFIX), "");

        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (leader.isAlive())
        {
            assertTrue(System.nanoTime() < deadline, "the leader lives on with its evaluation thread dead\n" +
                leader.logTail(20));
            Thread.sleep(20);
        }
        assertEquals(FatalErrors.EXIT_STATUS, leader.stop(), leader.logTail(20));
        final String lastLines = leader.logTail(3);
        assertTrue(lastLines.contains("FATAL") && lastLines.contains("chainkv-master-" + leader.id()),
            "the last line says which thread died of what\n" + lastLines);

        final MasterProcess standby = cluster.awaitLeader(WAIT);
        assertNotEquals(leader.id(), standby.id());
        final ChainConfig before = cluster.currentConfig().chain(0);
        final String middle = before.members().get(before.members().size() / 2).nodeId();
        cluster.node(middle).kill9();
        cluster.awaitChain((chain) -> chain.indexOf(middle) < 0, WAIT);
        writers.awaitProgress(100, WAIT);
        writers.stopAndVerify(client);
    }
}
