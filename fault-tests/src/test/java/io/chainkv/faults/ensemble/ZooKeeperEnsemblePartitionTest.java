package io.chainkv.faults.ensemble;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.VersionedValue;
import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ConfigWatcher;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import io.chainkv.faults.cluster.NetworkNamespaces;
import io.chainkv.master.harness.LocalCluster;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A node and the ZooKeeper follower it is connected to are cut off from the leader of a real 3-server ensemble
 * (each server a process in its own network namespace; the node, the masters and the clients in the root namespace,
 * so the node still reaches its clients: the split-brain case). The follower keeps answering plain reads for
 * syncLimit x tick (1 s here, more than the 600 ms session), while the leader expires the node's session and the master
 * writes a configuration without it. The node must stop answering before that configuration serves: no read it answers
 * may miss a write the new chain acknowledged (docs/design.md, "Leases: the timing argument").
 * <p>
 * Needs root for {@code ip netns}; skipped with the reason otherwise.
 */
class ZooKeeperEnsemblePartitionTest
{
    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    private record Read(long invokedNs, long completedNs, String value)
    {
    }

    @Test
    void nodeCutOffWithItsFollowerStopsAnsweringBeforeAConfigurationWithoutItServes() throws Exception
    {
        final String unavailable = NetworkNamespaces.unavailableReason();
        assumeTrue(null == unavailable, () -> "ZooKeeper ensemble partition test skipped: " + unavailable);

        try (NetworkNamespaces network = NetworkNamespaces.create(List.of(), 3);
            LocalCluster cluster = LocalCluster.builder()
                .nodes(3).masters(2).replicationFactor(3)
                .zooKeeperServers(3).zooKeeperSyncLimit(10).zooKeeperNetwork(network)
                .nodeOnOneFollower("n3")
                .masterArgs("--no-heal")
                .jvmArg("-XX:+UseSerialGC").jvmArg("-XX:TieredStopAtLevel=1")
                .start())
        {
            final int cutServer = cluster.zooKeeperServerOf("n3");
            final List<String> others = new ArrayList<>();
            final String[] servers = cluster.zkConnect().split(",");
            for (int id = 1; id <= servers.length; id++)
            {
                if (id != cutServer)
                {
                    others.add(servers[id - 1]);
                }
            }
            final String majority = String.join(",", others);

            // The test's own eyes and writer talk to the majority side only, so they see the new configuration at once.
            final AtomicLong configWithoutN3SeenNs = new AtomicLong();
            try (CuratorFramework observer = new ZooKeeperSettings(majority, 10_000, 2_000).newClient())
            {
                observer.start();
                assertTrue(observer.blockUntilConnected(30, TimeUnit.SECONDS));
                try (ConfigWatcher watcher = new ConfigWatcher(observer, new ClusterPaths(cluster.clusterName()),
                    (config) ->
                    {
                        final ChainConfig chain = config.chain(0);
                        if (null != chain && chain.indexOf("n3") < 0)
                        {
                            configWithoutN3SeenNs.compareAndSet(0, System.nanoTime());
                        }
                    });
                    ChainKvClient writer = ChainKvClient.connect(new ClientConfig().zooKeeper(majority,
                        cluster.clusterName()).requestTimeout(Duration.ofSeconds(20))))
                {
                    watcher.start();
                    writer.put(KEY, "v1".getBytes(StandardCharsets.UTF_8));

                    final ClusterConfig current = cluster.currentConfig();
                    final ChainConfig chain = current.chain(0);
                    assertTrue(chain.indexOf("n3") >= 0, chain.toString());
                    // Reads sent to n3 alone, in the epoch it serves: what n3 answers, and nothing else.
                    final ChainConfig onlyN3 =
                        new ChainConfig(cluster.clusterName(), 0, chain.epoch(), List.of(chain.members().get(chain.indexOf("n3"))));
                    final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
                    final AtomicBoolean reading = new AtomicBoolean(true);
                    try (ChainKvClient n3Reader = ChainKvClient.connect(new ClientConfig().chainConfig(onlyN3)
                        .attemptTimeout(Duration.ofMillis(100)).requestTimeout(Duration.ofMillis(150))))
                    {
                        final VersionedValue first = n3Reader.get(KEY);
                        assertNotNull(first);
                        assertEquals("v1", new String(first.value(), StandardCharsets.UTF_8));
                        final Thread reader = new Thread(() ->
                        {
                            while (reading.get())
                            {
                                final long invoked = System.nanoTime();
                                try
                                {
                                    final VersionedValue value = n3Reader.get(KEY);
                                    reads.add(new Read(invoked, System.nanoTime(),
                                        null == value ? null : new String(value.value(), StandardCharsets.UTF_8)));
                                }
                                catch (final RuntimeException refusedOrTimedOut)
                                {
                                    // Not an answer: fine.
                                }
                            }
                        }, "n3-reader");
                        reader.start();

                        // Zero is taken before the routes go in: each is an `ip` process, and the cut starts with the first.
                        final long partitionedNs = System.nanoTime();
                        network.partitionServer(cutServer);
                        final long deadline = partitionedNs + TimeUnit.SECONDS.toNanos(30);
                        while (0 == configWithoutN3SeenNs.get() && System.nanoTime() < deadline)
                        {
                            Thread.sleep(5);
                        }
                        assertTrue(configWithoutN3SeenNs.get() != 0, "the master never took n3 out");
                        writer.put(KEY, "v2".getBytes(StandardCharsets.UTF_8));
                        final long v2AcknowledgedNs = System.nanoTime();
                        // Past the follower's syncLimit x tick (1 s) and n3's lease after it: the old code's window.
                        Thread.sleep(2_000);
                        reading.set(false);
                        reader.join();

                        final long seenNs = configWithoutN3SeenNs.get();
                        Read lastAnswer = null;
                        final List<String> stale = new ArrayList<>();
                        final List<String> afterConfig = new ArrayList<>();
                        for (final Read read : reads)
                        {
                            lastAnswer = null == lastAnswer || read.completedNs() > lastAnswer.completedNs() ?
                                read : lastAnswer;
                            if (read.invokedNs() > v2AcknowledgedNs && "v1".equals(read.value()))
                            {
                                stale.add(describe(read, partitionedNs));
                            }
                            if (read.invokedNs() > seenNs)
                            {
                                afterConfig.add(describe(read, partitionedNs));
                            }
                        }
                        final String timeline = "partitioned ZooKeeper server " + cutServer + " with n3 at 0 ms; " +
                            "configuration without n3 seen at " + ms(seenNs - partitionedNs) + " ms; v2 acknowledged " +
                            "at " + ms(v2AcknowledgedNs - partitionedNs) + " ms; n3's last answer " +
                            (null == lastAnswer ? "none" : describe(lastAnswer, partitionedNs)) + "; " + reads.size() +
                            " answers in all";
                        System.out.println(timeline);
                        assertTrue(stale.isEmpty(), "n3 answered reads with the value the new chain had overwritten " +
                            "(stale reads): " + stale + "\n" + timeline);
                        assertTrue(afterConfig.isEmpty(), "n3 answered reads sent after the configuration without it " +
                            "was written: " + afterConfig + "\n" + timeline);
                    }
                }
            }
        }
    }

    private static String describe(final Read read, final long zeroNs)
    {
        return "'" + read.value() + "' [" + ms(read.invokedNs() - zeroNs) + ".." + ms(read.completedNs() - zeroNs) +
            " ms]";
    }

    private static long ms(final long ns)
    {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }
}
