package io.chainkv.master.zk;

import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeRegistration;
import io.chainkv.cluster.NodeState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MembershipWatcherTest
{
    private final ClusterPaths paths = new ClusterPaths("members");
    private ZooKeeperFixture zk;
    private MembershipWatcher watcher;

    @BeforeEach
    void setUp() throws Exception
    {
        zk = new ZooKeeperFixture();
        watcher = zk.register(new MembershipWatcher(zk.newStartedClient(), paths, nodes -> { }));
        watcher.start();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != zk)
        {
            zk.close();
        }
    }

    private NodeRegistration register(final String nodeId) throws Exception
    {
        final NodeRegistration registration = zk.register(new NodeRegistration(
            zk.newStartedClient(), paths, new NodeInfo(nodeId, "127.0.0.1:40101", NodeState.JOINING)));
        registration.start();
        assertTrue(registration.awaitRegistered(Duration.ofSeconds(5)));
        return registration;
    }

    @Test
    void reportsNodesAsTheyRegisterAndLeave() throws Exception
    {
        register("n1");
        final NodeRegistration n2 = register("n2");
        assertTrue(ZooKeeperFixture.await(Duration.ofSeconds(5),
            () -> watcher.liveNodes().keySet().equals(Set.of("n1", "n2"))), () -> watcher.liveNodes().toString());

        n2.close();

        assertTrue(ZooKeeperFixture.await(Duration.ofSeconds(5),
            () -> watcher.liveNodes().keySet().equals(Set.of("n1"))), () -> watcher.liveNodes().toString());
    }

    @Test
    void reportsStateChanges() throws Exception
    {
        register("n1").updateState(NodeState.SERVING);

        assertTrue(ZooKeeperFixture.await(Duration.ofSeconds(5), () -> watcher.liveNodes().containsKey("n1") &&
            watcher.liveNodes().get("n1").info().state() == NodeState.SERVING));
    }

    @Test
    void directReadAgreesAndOrdersRegistrations() throws Exception
    {
        register("b");
        register("a");

        final var nodes = MembershipWatcher.readLiveNodes(zk.newStartedClient(), paths);

        assertEquals(Set.of("a", "b"), nodes.keySet());
        assertTrue(nodes.get("b").registrationZxid() < nodes.get("a").registrationZxid());
    }
}
