package io.chainkv.master.harness;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeRegistration;
import io.chainkv.cluster.NodeState;
import io.chainkv.master.cli.ChainCtl;
import io.chainkv.master.cli.ClusterStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness on what needs no node: a ZooKeeper server process and master processes, with node registrations
 * made by the test itself.
 */
@Timeout(120)
class LocalClusterTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static LocalCluster.Builder mastersOnly()
    {
        return LocalCluster.builder().nodes(0).masters(2).replicationFactor(1);
    }

    private static NodeRegistration register(final LocalCluster cluster, final String nodeId) throws Exception
    {
        final NodeRegistration registration = new NodeRegistration(cluster.curator(), cluster.paths(),
            new NodeInfo(nodeId, "127.0.0.1:40101", NodeState.JOINING));
        registration.start();
        assertTrue(registration.awaitRegistered(WAIT));
        return registration;
    }

    @Test
    void startRunsZooKeeperAndMastersOfWhichOneLeads() throws InterruptedException
    {
        try (LocalCluster cluster = mastersOnly().start())
        {
            final MasterProcess leader = cluster.awaitLeader(WAIT);

            assertTrue(cluster.zooKeeper().isAlive());
            assertEquals(List.of("m1", "m2"), cluster.masters().stream().map(MasterProcess::id).sorted().toList());
            assertTrue(leader.isLeader());
            // The standby may register after the leader leads: its process is ready before its latch is in ZooKeeper.
            final long deadlineNs = System.nanoTime() + WAIT.toNanos();
            while (cluster.status().masters().size() < 2)
            {
                assertTrue(System.nanoTime() < deadlineNs, "status never showed both masters: " + cluster.status());
                Thread.sleep(50);
            }
        }
    }

    @Test
    void killingTheLeadingMasterHandsLeadershipToTheOther()
    {
        try (LocalCluster cluster = mastersOnly().start())
        {
            final MasterProcess first = cluster.awaitLeader(WAIT);

            first.kill9();

            final MasterProcess second = cluster.awaitLeader(WAIT);
            assertNotEquals(first.id(), second.id());
        }
    }

    @Test
    void mastersWriteEpochOneOnceEnoughNodesRegisterAndChainctlShowsIt() throws Exception
    {
        try (LocalCluster cluster = mastersOnly().start();
            NodeRegistration ignored = register(cluster, "n1"))
        {
            final ClusterConfig config = cluster.awaitEpoch(1, WAIT);
            final ByteArrayOutputStream out = new ByteArrayOutputStream();

            final int rc = ChainCtl.run(new String[]{ "status", "--zk", cluster.zkConnect(), "--cluster",
                cluster.clusterName() }, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

            assertEquals(List.of("n1"), new ArrayList<>(config.memberIds()));
            assertEquals(ChainCtl.EXIT_OK, rc);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("chain 0 (epoch 1): n1\n"), out::toString);
        }
    }

    @Test
    void zooKeeperRestartedOnItsDataDirStillHoldsTheConfiguration() throws Exception
    {
        try (LocalCluster cluster = mastersOnly().start();
            NodeRegistration ignored = register(cluster, "n1"))
        {
            final ClusterConfig before = cluster.awaitEpoch(1, WAIT);

            cluster.zooKeeper().kill9();
            cluster.zooKeeper().restart();

            ClusterStatus status = null;
            final long deadlineNs = System.nanoTime() + WAIT.toNanos();
            while (null == status && System.nanoTime() < deadlineNs)
            {
                try
                {
                    status = cluster.status();
                }
                catch (final IllegalStateException ex)
                {
                    Thread.sleep(50);
                }
            }
            assertEquals(before, null == status ? null : status.config());
        }
    }

    @Test
    void closeKillsEveryProcessAndDeletesDataAndAeronDirectories()
    {
        final LocalCluster cluster = mastersOnly().start();
        final List<Long> pids = new ArrayList<>();
        pids.add(cluster.zooKeeper().pid());
        cluster.masters().forEach(master -> pids.add(master.pid()));
        final Path data = cluster.dir().resolve("data");
        assertTrue(Files.isDirectory(data));

        cluster.close();

        for (final long pid : pids)
        {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
        }
        assertFalse(Files.exists(data));
        assertFalse(Files.exists(cluster.aeronParent()));
        assertTrue(Files.isRegularFile(cluster.dir().resolve("logs").resolve("zookeeper.log")));
    }
}
