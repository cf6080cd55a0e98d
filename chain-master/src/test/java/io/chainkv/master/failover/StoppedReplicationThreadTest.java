package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.FatalErrors;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.node.FaultHooks;
import io.chainkv.node.harness.NodeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member whose replication thread stops gives up its place, and the chain goes on without it (docs/failures.md,
 * "The replication thread dies or is stuck"). Real processes; the thread is killed or wedged with the test hook
 * {@link FaultHooks#AGENT_FAULT_DIR_PROP} while client threads write.
 * <p>
 * Before, an Error ended the replication thread (and the media driver it runs) while the ZooKeeper session and the lease
 * keeper lived on: the master never spliced the node out and the chain waited for ever.
 */
@Timeout(240)
class StoppedReplicationThreadTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int WRITERS = 4;

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

    private ChainConfig start() throws InterruptedException
    {
        cluster = FailoverClusters.builder()
            .nodeSystemProperty(FaultHooks.AGENT_FAULT_DIR_PROP, faultDir.toString())
            .start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(10)));
        writers = new ContinuousWriters(client, WRITERS);
        writers.awaitProgress(100, WAIT);
        return cluster.currentConfig().chain(0);
    }

    @Test
    void anErrorOnTheReplicationThreadHaltsTheNodeAndTheChainGoesOnWithoutIt() throws Exception
    {
        final ChainConfig before = start();
        final String middle = before.members().get(before.members().size() / 2).nodeId();
        final NodeProcess node = cluster.node(middle);

        Files.writeString(faultDir.resolve(middle + FaultHooks.AGENT_ERROR_SUFFIX), "");

        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (node.isAlive())
        {
            assertTrue(System.nanoTime() < deadline, "the node lives on with its replication thread dead\n" +
                node.logTail(20));
            Thread.sleep(20);
        }
        assertEquals(FatalErrors.EXIT_STATUS, node.stop(), node.logTail(20));
        final String lastLines = node.logTail(3);
        assertTrue(lastLines.contains("FATAL") && lastLines.contains("chainkv-replication-" + middle),
            "the last line says which thread died of what\n" + lastLines);
        // Only that it is out: on a loaded machine another member may lose its session meanwhile and rejoin.
        cluster.awaitChain((chain) -> chain.indexOf(middle) < 0, WAIT);
        writers.awaitProgress(100, WAIT);
        writers.stopAndVerify(client);
    }

    @Test
    void aWedgedReplicationThreadGivesUpItsPlaceAndTheChainGoesOnWithoutIt() throws Exception
    {
        final ChainConfig before = start();
        final String tail = before.tail().nodeId();
        final NodeProcess node = cluster.node(tail);

        // Empty: the thread sleeps for ever inside its duty cycle.
        Files.writeString(faultDir.resolve(tail + FaultHooks.AGENT_WEDGE_SUFFIX), "");

        cluster.awaitChain((chain) -> chain.indexOf(tail) < 0, WAIT);
        writers.awaitProgress(100, WAIT);
        writers.stopAndVerify(client);
        assertTrue(node.isAlive(), "given up its place, not died");
        assertTrue(Files.readString(node.logFile()).contains("giving up this node's place"),
            "the node says why it left\n" + node.logTail(20));
    }
}
