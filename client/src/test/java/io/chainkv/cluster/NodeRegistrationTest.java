package io.chainkv.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeRegistrationTest
{
    private final ClusterPaths paths = new ClusterPaths("reg");
    private TestZooKeeper zk;
    private CuratorFramework nodeClient;
    private CuratorFramework observer;
    private NodeRegistration registration;

    @BeforeEach
    void setUp() throws Exception
    {
        zk = new TestZooKeeper();
        nodeClient = zk.newStartedClient();
        observer = zk.newStartedClient();
        registration = new NodeRegistration(nodeClient, paths, new NodeInfo("n1", "127.0.0.1:40101", NodeState.JOINING));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != registration)
        {
            registration.close();
        }
        if (null != zk)
        {
            zk.close();
        }
    }

    private NodeInfo published() throws Exception
    {
        return NodeInfo.decode("n1", observer.getData().forPath(paths.nodePath("n1")));
    }

    @Test
    void publishesAnEphemeralZnodeWithEndpointAndState() throws Exception
    {
        registration.start();
        assertTrue(registration.awaitRegistered(Duration.ofSeconds(5)));

        final Stat stat = observer.checkExists().forPath(paths.nodePath("n1"));
        assertNotNull(stat);
        assertEquals(nodeClient.getZookeeperClient().getZooKeeper().getSessionId(), stat.getEphemeralOwner());
        assertEquals(new NodeInfo("n1", "127.0.0.1:40101", NodeState.JOINING), published());
    }

    @Test
    void stateUpdateIsPublished() throws Exception
    {
        registration.start();
        assertTrue(registration.awaitRegistered(Duration.ofSeconds(5)));

        registration.updateState(NodeState.SERVING);

        assertEquals(NodeState.SERVING, published().state());
    }

    @Test
    void registrationHeldByAnotherSessionIsReportedAndLeftAlone() throws Exception
    {
        registration.start();
        final Stat before = observer.checkExists().forPath(paths.nodePath("n1"));
        final NodeInfo other = new NodeInfo("n1", "127.0.0.1:40199", NodeState.JOINING).withIncarnation(7);
        final NodeRegistration second = new NodeRegistration(zk.newStartedClient(), paths, other);

        final NodeRegistration.Holder holder = second.register();
        second.close();

        assertNotNull(holder);
        assertEquals(before.getEphemeralOwner(), holder.sessionId());
        assertEquals("127.0.0.1:40101", holder.info().endpoint());
        final Stat after = observer.checkExists().forPath(paths.nodePath("n1"));
        assertEquals(before.getEphemeralOwner(), after.getEphemeralOwner());
        assertEquals(before.getVersion(), after.getVersion());
        assertEquals(new NodeInfo("n1", "127.0.0.1:40101", NodeState.JOINING), published());
    }

    @Test
    void closeRemovesTheZnode() throws Exception
    {
        registration.start();
        assertTrue(registration.awaitRegistered(Duration.ofSeconds(5)));

        registration.close();
        registration = null;

        assertNull(observer.checkExists().forPath(paths.nodePath("n1")));
    }

    @Test
    void isNotCreatedAgainOnTheNextSession() throws Exception
    {
        registration.start();
        assertTrue(registration.awaitRegistered(Duration.ofSeconds(5)));
        final long firstOwner = observer.checkExists().forPath(paths.nodePath("n1")).getEphemeralOwner();

        nodeClient.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

        // A new session is a new incarnation, registered by a new registration; this one is over.
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (null != observer.checkExists().forPath(paths.nodePath("n1")) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertNull(observer.checkExists().forPath(paths.nodePath("n1")));
        assertTrue(nodeClient.getZookeeperClient().blockUntilConnectedOrTimedOut());
        Thread.sleep(300);
        assertNull(observer.checkExists().forPath(paths.nodePath("n1")));
        assertNotEquals(firstOwner, nodeClient.getZookeeperClient().getZooKeeper().getSessionId());
        assertThrows(IllegalStateException.class, () -> registration.updateState(NodeState.SERVING));
    }
}
