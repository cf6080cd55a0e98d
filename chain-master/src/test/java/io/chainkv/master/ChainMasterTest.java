package io.chainkv.master;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ConfigWatcher;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeRegistration;
import io.chainkv.cluster.NodeState;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.zk.ConfigStore;
import io.chainkv.master.zk.VersionedConfig;
import io.chainkv.master.zk.ZooKeeperFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChainMasterTest
{
    private static final String CLUSTER = "masters";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ClusterPaths paths = new ClusterPaths(CLUSTER);
    private final Map<String, NodeRegistration> registrations = new ConcurrentHashMap<>();
    private ZooKeeperFixture zk;
    private ConfigStore reader;

    @BeforeEach
    void setUp() throws Exception
    {
        zk = new ZooKeeperFixture();
        reader = new ConfigStore(zk.newStartedClient(), paths);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != zk)
        {
            zk.close();
        }
    }

    private ChainMaster startMaster(final String masterId) throws Exception
    {
        // Each master has its own client, i.e. its own ZooKeeper session, as separate processes would.
        final ChainMaster master =
            zk.register(new ChainMaster(zk.newStartedClient(), paths, masterId, new ChainPlanner(3, false)));
        master.start();
        return master;
    }

    private void registerNode(final String nodeId, final int port) throws Exception
    {
        final NodeRegistration registration = zk.register(new NodeRegistration(
            zk.newStartedClient(), paths, new NodeInfo(nodeId, "127.0.0.1:" + port, NodeState.JOINING)));
        registration.start();
        assertTrue(registration.awaitRegistered(WAIT));
        registrations.put(nodeId, registration);
    }

    private ClusterConfig awaitConfig(final long epoch) throws Exception
    {
        final ClusterConfig[] seen = new ClusterConfig[1];
        assertTrue(ZooKeeperFixture.await(WAIT, () ->
        {
            try
            {
                final VersionedConfig read = reader.read();
                seen[0] = null == read ? null : read.config();
                return null != read && read.config().epoch() >= epoch;
            }
            catch (final Exception ex)
            {
                return false;
            }
        }), () -> "config never reached epoch " + epoch + "; last seen " + seen[0]);
        return seen[0];
    }

    private static List<String> memberIds(final ClusterConfig config)
    {
        final List<String> ids = new ArrayList<>();
        for (final ChainMember member : config.chain(0).members())
        {
            ids.add(member.nodeId());
        }
        return ids;
    }

    private static ChainMaster awaitLeaderAmong(final ChainMaster... masters) throws InterruptedException
    {
        final ChainMaster[] leader = new ChainMaster[1];
        assertTrue(ZooKeeperFixture.await(WAIT, () ->
        {
            for (final ChainMaster master : masters)
            {
                if (master.isLeader())
                {
                    leader[0] = master;
                    return true;
                }
            }
            return false;
        }), "no master became leader");
        return leader[0];
    }

    @Test
    void exactlyOneOfTwoMastersLeads() throws Exception
    {
        final ChainMaster a = startMaster("a");
        final ChainMaster b = startMaster("b");

        awaitLeaderAmong(a, b);
        Thread.sleep(300);

        assertNotEquals(a.isLeader(), b.isLeader());
    }

    @Test
    void leaderBootstrapsEpochOneOnceReplicationFactorNodesRegistered() throws Exception
    {
        final ChainMaster master = startMaster("a");
        assertTrue(master.awaitLeadership(WAIT));
        registerNode("n1", 40101);
        registerNode("n2", 40102);
        Thread.sleep(300);
        assertEquals(null, reader.read(), "bootstrapped with fewer nodes than the replication factor");

        registerNode("n3", 40103);

        final ClusterConfig config = awaitConfig(1);
        assertEquals(1, config.epoch());
        assertEquals(List.of("n1", "n2", "n3"), memberIds(config));
    }

    @Test
    void leaderSplicesOutANodeWhoseRegistrationIsGone() throws Exception
    {
        final ChainMaster master = startMaster("a");
        registerNode("n1", 40101);
        registerNode("n2", 40102);
        registerNode("n3", 40103);
        awaitConfig(1);

        registrations.get("n2").close();

        final ClusterConfig config = awaitConfig(2);
        assertEquals(2, config.epoch());
        assertEquals(List.of("n1", "n3"), memberIds(config));
        assertTrue(ZooKeeperFixture.await(WAIT, () -> master.lastWrittenEpoch() == 2), "not written by the leader");
    }

    @Test
    void standbyTakesOverWhenTheLeaderStopsAndCompletesThePendingSplice() throws Exception
    {
        final ChainMaster a = startMaster("a");
        final ChainMaster b = startMaster("b");
        registerNode("n1", 40101);
        registerNode("n2", 40102);
        registerNode("n3", 40103);
        awaitConfig(1);
        final ChainMaster leader = awaitLeaderAmong(a, b);
        final ChainMaster standby = leader == a ? b : a;

        // A node fails and the leader dies right away, before or while it reacts.
        registrations.get("n3").close();
        leader.close();

        assertTrue(ZooKeeperFixture.await(WAIT, standby::isLeader), "standby never took over");
        final ClusterConfig config = awaitConfig(2);
        assertEquals(2, config.epoch());
        assertEquals(List.of("n1", "n2"), memberIds(config));
        Thread.sleep(300);
        assertEquals(2, reader.read().config().epoch(), "the splice was written more than once");
    }

    @Test
    void newLeaderFinishesASpliceLeftUndoneInZooKeeper() throws Exception
    {
        // State a dead leader leaves behind: a config naming n2, whose registration is already gone.
        registerNode("n1", 40101);
        registerNode("n3", 40103);
        reader.create(new ClusterConfig(CLUSTER, 5, List.of(new ChainConfig(CLUSTER, 0, 5, List.of(
            new ChainMember("n1", "127.0.0.1:40101"),
            new ChainMember("n2", "127.0.0.1:40102"),
            new ChainMember("n3", "127.0.0.1:40103"))))), null);

        final ChainMaster master = startMaster("late");

        final ClusterConfig config = awaitConfig(6);
        assertEquals(6, config.epoch());
        assertEquals(List.of("n1", "n3"), memberIds(config));
        assertTrue(ZooKeeperFixture.await(WAIT, () -> master.lastWrittenEpoch() == 6), "not written by the new leader");
    }

    @Test
    void standbyWritesNothing() throws Exception
    {
        final ChainMaster a = startMaster("a");
        final ChainMaster b = startMaster("b");
        registerNode("n1", 40101);
        registerNode("n2", 40102);
        registerNode("n3", 40103);
        awaitConfig(1);
        registrations.get("n2").close();
        awaitConfig(2);

        final ChainMaster standby = awaitLeaderAmong(a, b) == a ? b : a;

        assertEquals(0, standby.lastWrittenEpoch());
    }

    @Test
    void configWatcherSeesEachEpochTheMasterWrites() throws Exception
    {
        final List<Long> epochs = new CopyOnWriteArrayList<>();
        final ConfigWatcher watcher =
            zk.register(new ConfigWatcher(zk.newStartedClient(), paths, config -> epochs.add(config.epoch())));
        watcher.start();
        startMaster("a");
        registerNode("n1", 40101);
        registerNode("n2", 40102);
        registerNode("n3", 40103);
        assertNotNull(watcher.awaitEpoch(1, WAIT));

        registrations.get("n1").close();
        assertNotNull(watcher.awaitEpoch(2, WAIT));
        registrations.get("n3").close();

        final ClusterConfig last = watcher.awaitEpoch(3, WAIT);
        assertNotNull(last);
        assertEquals(List.of("n2"), memberIds(last));
        assertEquals(List.of(1L, 2L, 3L), epochs);
    }
}
