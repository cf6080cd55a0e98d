package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ReadMode;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.master.harness.MasterProcess;
import io.chainkv.node.harness.NodeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The whole cluster restarts by itself (docs/healing.md, "The whole cluster restarts"): every node and master killed
 * with kill -9 under write load, the ZooKeeper server killed too, then everything started again in a random order. The
 * chain must serve again, with every acknowledged write, each time. Real processes.
 * <p>
 * {@link #theChainServesAgainAfterEveryProcessWasKilledAndRestarted} runs one cycle in the suite; five or more, with
 * the time each took to serve, run as a measurement ({@code scripts/measure-restart.sh}).
 */
@Timeout(600)
class WholeClusterRestartTest
{
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String RESTART_GRACE_MS = "2000";

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
    void theChainServesAgainAfterEveryProcessWasKilledAndRestarted() throws Exception
    {
        restartCycles(1, 20261207L);
    }

    @Test
    @Tag("measurement")
    void wholeClusterRestartsUnderWriteLoad() throws Exception
    {
        final List<String> lines = restartCycles(Integer.getInteger("chainkv.restart.cycles", 5), System.nanoTime());
        Files.write(Path.of("target", "restart-measurement.txt"), lines);
    }

    private List<String> restartCycles(final int cycles, final long seed) throws Exception
    {
        final List<String> lines = new ArrayList<>();
        final Random random = new Random(seed);
        // Two masters, as deployed: both die and come back with everything else.
        cluster = FailoverClusters.builder().nodes(3).replicationFactor(3).masters(2)
            .masterArgs("--restart-grace-ms", RESTART_GRACE_MS).start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(5)));
        cluster.awaitChain((chain) -> chain.members().size() == 3, WAIT);
        writers = new ContinuousWriters(client, 4);
        writers.awaitProgress(100, WAIT);

        for (int cycle = 1; cycle <= cycles; cycle++)
        {
            for (final NodeProcess node : cluster.nodes())
            {
                node.kill9();
            }
            for (final MasterProcess master : cluster.masters())
            {
                master.kill9();
            }
            cluster.zooKeeper().kill9();

            final long restartNs = System.nanoTime();
            final long acknowledgedBefore = writers.acknowledged();
            final AtomicLong firstWriteNs = new AtomicLong();
            final Thread watcher = new Thread(() ->
            {
                while (0 == firstWriteNs.get() && !Thread.currentThread().isInterrupted())
                {
                    if (writers.acknowledged() > acknowledgedBefore)
                    {
                        firstWriteNs.set(System.nanoTime());
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            }, "first-write-watcher");
            watcher.start();
            cluster.zooKeeper().restart();
            final List<Runnable> starts = new ArrayList<>();
            cluster.nodes().forEach((node) -> starts.add(node::restart));
            cluster.masters().forEach((master) -> starts.add(master::restart));
            Collections.shuffle(starts, random);
            starts.forEach(Runnable::run);
            final long startedNs = System.nanoTime();

            writers.awaitProgress(100, WAIT);
            watcher.join();
            final ChainConfig chain = cluster.currentConfig().chain(0);
            // The time to serve: from the first process started to the first write acknowledged, while the others
            // may still be starting (each start here waits for the process to say it is ready).
            final String line = String.format("cycle %d (seed %d): first write acknowledged %d ms after the restart " +
                "began; every process started after %d ms; chain %s", cycle, seed,
                TimeUnit.NANOSECONDS.toMillis(firstWriteNs.get() - restartNs),
                TimeUnit.NANOSECONDS.toMillis(startedNs - restartNs), chain);
            System.out.println(line);
            lines.add(line);
        }

        try (ChainKvClient tailReader = ChainKvClient.connect(cluster.clientConfig().readMode(ReadMode.TAIL)
            .requestTimeout(Duration.ofSeconds(20))))
        {
            writers.stopAndVerify(tailReader);
        }
        lines.add("every acknowledged write read back at the tail after " + cycles + " restarts");
        return lines;
    }
}
