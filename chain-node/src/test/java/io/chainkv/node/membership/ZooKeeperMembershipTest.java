package io.chainkv.node.membership;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterConfigCodec;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeState;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import org.agrona.CloseHelper;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node's membership against a real (in-process, standalone) ZooKeeper server, with the test writing the
 * configuration in the master's place: what proves a lease, which session and incarnation it belongs to, and who may
 * hold a node id (docs/design.md, "Leases: the timing argument" and "Node registrations").
 */
class ZooKeeperMembershipTest
{
    private static final String CLUSTER = "membership";
    private static final int TICK_MS = 100;
    /** Longer than ChainKV's default, so a loaded machine does not expire sessions the test did not mean to end. */
    private static final int SESSION_TIMEOUT_MS = 2_000;

    private final ClusterPaths paths = new ClusterPaths(CLUSTER);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TestingServer server;
    private CuratorFramework observer;
    private ZooKeeperSettings settings;

    @BeforeEach
    void startZooKeeper() throws Exception
    {
        final InstanceSpec spec = new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MS, -1,
            Map.of("minSessionTimeout", Integer.toString(2 * TICK_MS), "maxSessionTimeout", "60000"));
        server = new TestingServer(spec, true);
        settings = new ZooKeeperSettings(server.getConnectString(), SESSION_TIMEOUT_MS, 500);
        observer = new ZooKeeperSettings(server.getConnectString(), 10_000, 2_000).newClient();
        observer.start();
        assertTrue(observer.blockUntilConnected(10, TimeUnit.SECONDS));
    }

    @AfterEach
    void stopZooKeeper() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        CloseHelper.quietCloseAll(observer, server);
    }

    private ZooKeeperMembership startNode(final String nodeId, final SessionLease lease, final List<ChainConfig> delivered)
    {
        return startNode(settings, nodeId, lease, delivered);
    }

    private ZooKeeperMembership startNode(
        final ZooKeeperSettings settings, final String nodeId, final SessionLease lease, final List<ChainConfig> delivered)
    {
        return startNode(settings, nodeId, lease, delivered, null);
    }

    private ZooKeeperMembership startNode(
        final ZooKeeperSettings settings,
        final String nodeId,
        final SessionLease lease,
        final List<ChainConfig> delivered,
        final DutyCycleHeartbeat heartbeat)
    {
        final ZooKeeperMembership membership = ZooKeeperMembership.start(settings, CLUSTER, 0,
            new NodeInfo(nodeId, "127.0.0.1:" + (40000 + closeables.size()), NodeState.JOINING, 0, 0), lease,
            (config) -> delivered.add(config), new MembershipReport(), heartbeat);
        closeables.add(membership);
        return membership;
    }

    private NodeInfo registrationOf(final String nodeId) throws Exception
    {
        return NodeInfo.decode(nodeId, observer.getData().forPath(paths.nodePath(nodeId)));
    }

    private void writeConfig(final long epoch, final ChainMember... members) throws Exception
    {
        final byte[] data = ClusterConfigCodec.encode(new ClusterConfig(CLUSTER, epoch,
            List.of(new ChainConfig(CLUSTER, 0, epoch, List.of(members)))));
        if (null == observer.checkExists().forPath(paths.configPath()))
        {
            observer.create().creatingParentsIfNeeded().forPath(paths.configPath(), data);
        }
        else
        {
            observer.setData().forPath(paths.configPath(), data);
        }
    }

    private static boolean await(final Duration timeout, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    private boolean registered(final String nodeId)
    {
        try
        {
            return null != observer.checkExists().forPath(paths.nodePath(nodeId));
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    @Test
    void leaseIsNotRenewedOnANewSessionWhileTheConfigurationNamesTheOldIncarnation() throws Exception
    {
        final SessionLease lease = ZooKeeperMembership.leaseFor(settings);
        final List<ChainConfig> delivered = new CopyOnWriteArrayList<>();
        final ZooKeeperMembership n1 = startNode("n1", lease, delivered);
        assertTrue(await(Duration.ofSeconds(10), () -> registered("n1")), "n1 never registered");
        final ChainMember before = registrationOf("n1").toMember();
        final long firstOwner = observer.checkExists().forPath(paths.nodePath("n1")).getEphemeralOwner();
        writeConfig(1, before, new ChainMember("n2", "127.0.0.1:39999"));
        assertTrue(await(Duration.ofSeconds(10), () -> lease.isValid(System.nanoTime())), "n1 never got a lease");

        // The session expires (as after a pause or a partition longer than the session timeout); Curator opens a new
        // one. The configuration still names n1 as it was on the old session: the master has not removed it yet.
        n1.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        assertTrue(await(Duration.ofSeconds(10), () ->
        {
            try
            {
                final Stat stat = observer.checkExists().forPath(paths.nodePath("n1"));
                return null != stat && stat.getEphemeralOwner() != firstOwner;
            }
            catch (final Exception ex)
            {
                return false;
            }
        }), "n1 did not register again on its new session");

        // Never a lease on the new session while the configuration gives n1's place to the old incarnation.
        final long watchUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < watchUntil)
        {
            assertFalse(lease.isValid(System.nanoTime()),
                "n1 holds a lease on its new session while epoch 1 still names it from its old session");
            Thread.sleep(5);
        }
        assertTrue(await(Duration.ofSeconds(10), () -> registered("n1")), "n1 is not registered on its new session");
        assertNotEquals(before, registrationOf("n1").toMember(), "a new session is a new incarnation");

        // The master takes the old incarnation out: n1 is a spare on its new session, with a lease again.
        writeConfig(2, new ChainMember("n2", "127.0.0.1:39999"));
        assertTrue(await(Duration.ofSeconds(10), () -> lease.isValid(System.nanoTime())),
            "n1 got no lease as a spare once the old incarnation was removed");
        assertEquals(2, delivered.get(delivered.size() - 1).epoch());
    }

    @Test
    void aNodeWhoseAgentStopsGivesUpItsPlaceAndComesBackAsANewIncarnationWhenTheAgentDoes() throws Exception
    {
        final SessionLease lease = ZooKeeperMembership.leaseFor(settings);
        final DutyCycleHeartbeat heartbeat = new DutyCycleHeartbeat(System.nanoTime());
        final AtomicBoolean agentRuns = new AtomicBoolean(true);
        final AtomicBoolean done = new AtomicBoolean();
        final Thread agent = new Thread(() ->
        {
            while (!done.get())
            {
                if (agentRuns.get())
                {
                    heartbeat.beat(System.nanoTime());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }, "test-agent");
        agent.setDaemon(true);
        agent.start();
        closeables.add(() ->
        {
            done.set(true);
            agent.join();
        });
        final List<ChainConfig> delivered = new CopyOnWriteArrayList<>();
        startNode(settings, "n1", lease, delivered, heartbeat);
        assertTrue(await(Duration.ofSeconds(10), () -> registered("n1")), "n1 never registered");
        final ChainMember before = registrationOf("n1").toMember();
        writeConfig(1, before, new ChainMember("n2", "127.0.0.1:39999"));
        assertTrue(await(Duration.ofSeconds(10), () -> lease.isValid(System.nanoTime())), "n1 never got a lease");

        agentRuns.set(false);

        assertTrue(await(Duration.ofSeconds(10), () -> !registered("n1")),
            "n1 kept its registration, and so its place, with its agent stopped");
        assertFalse(lease.isValid(System.nanoTime()), "n1 kept its lease with its agent stopped");
        final long watchUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < watchUntil)
        {
            assertFalse(registered("n1"), "n1 registered again while its agent is still stopped");
            assertFalse(lease.isValid(System.nanoTime()), "n1 got a lease while its agent is still stopped");
            Thread.sleep(20);
        }

        agentRuns.set(true);

        assertTrue(await(Duration.ofSeconds(10), () -> registered("n1")), "n1 did not register again");
        assertNotEquals(before, registrationOf("n1").toMember(), "it comes back as a new incarnation");
        assertFalse(lease.isValid(System.nanoTime()), "a lease while epoch 1 gives n1's place to the old incarnation");
        writeConfig(2, new ChainMember("n2", "127.0.0.1:39999"));
        assertTrue(await(Duration.ofSeconds(10), () -> lease.isValid(System.nanoTime())),
            "n1 got no lease as a spare once the old incarnation was removed");
    }

    @Test
    void secondProcessWithTheSameNodeIdRefusesToStartAndLeavesTheFirstAlone() throws Exception
    {
        // Sessions long enough that the first process stays alive on a loaded machine: a dead one's id is free to take.
        final ZooKeeperSettings settings = new ZooKeeperSettings(server.getConnectString(), 5_000, 1_000);
        final SessionLease first = ZooKeeperMembership.leaseFor(settings);
        startNode(settings, "n1", first, new CopyOnWriteArrayList<>());
        assertTrue(await(Duration.ofSeconds(10), () -> registered("n1")), "n1 never registered");
        final Stat before = observer.checkExists().forPath(paths.nodePath("n1"));
        final byte[] dataBefore = observer.getData().forPath(paths.nodePath("n1"));

        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> startNode(settings, "n1", ZooKeeperMembership.leaseFor(settings), new CopyOnWriteArrayList<>()));

        assertTrue(refused.getMessage().contains("n1") && refused.getMessage().contains("already registered"),
            refused.getMessage());
        final Stat after = observer.checkExists().forPath(paths.nodePath("n1"));
        assertEquals(before.getEphemeralOwner(), after.getEphemeralOwner(), "the first process lost its registration");
        assertEquals(before.getVersion(), after.getVersion(), "the second process wrote the first one's registration");
        assertArrayEquals(dataBefore, observer.getData().forPath(paths.nodePath("n1")));
    }
}
