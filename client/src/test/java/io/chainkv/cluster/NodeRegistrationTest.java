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

        // PersistentNode writes new data in the background.
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (NodeState.SERVING != published().state() && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(NodeState.SERVING, published().state());
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
    void isRecreatedWithItsStateAfterSessionExpiry() throws Exception
    {
        registration.start();
        assertTrue(registration.awaitRegistered(Duration.ofSeconds(5)));
        registration.updateState(NodeState.SERVING);
        final long firstOwner = observer.checkExists().forPath(paths.nodePath("n1")).getEphemeralOwner();

        nodeClient.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Stat stat = observer.checkExists().forPath(paths.nodePath("n1"));
        while ((null == stat || stat.getEphemeralOwner() == firstOwner) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
            stat = observer.checkExists().forPath(paths.nodePath("n1"));
        }
        assertNotNull(stat);
        assertNotEquals(firstOwner, stat.getEphemeralOwner());
        assertEquals(NodeState.SERVING, published().state());
    }
}
