package io.chainkv.master.zk;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigStoreTest
{
    private static final String CLUSTER = "store";
    private final ClusterPaths paths = new ClusterPaths(CLUSTER);
    private ZooKeeperFixture zk;
    private ConfigStore storeA;
    private ConfigStore storeB;

    @BeforeEach
    void setUp() throws Exception
    {
        zk = new ZooKeeperFixture();
        storeA = new ConfigStore(zk.newStartedClient(), paths);
        storeB = new ConfigStore(zk.newStartedClient(), paths);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != zk)
        {
            zk.close();
        }
    }

    private static ClusterConfig config(final long epoch, final String... nodeIds)
    {
        final List<ChainMember> members = new ArrayList<>();
        for (int i = 0; i < nodeIds.length; i++)
        {
            members.add(new ChainMember(nodeIds[i], "127.0.0.1:" + (40101 + i)));
        }
        return new ClusterConfig(CLUSTER, epoch, List.of(new ChainConfig(CLUSTER, 0, epoch, members)));
    }

    private static boolean fenceGone(final CuratorFramework observer, final String fence)
    {
        try
        {
            return null == observer.checkExists().forPath(fence);
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    @Test
    void readReturnsNullBeforeTheFirstConfig() throws Exception
    {
        assertNull(storeA.read());
    }

    @Test
    void firstConfigIsCreatedAndReadBackWithItsVersion() throws Exception
    {
        storeA.create(config(1, "n1", "n2", "n3"), null);

        final VersionedConfig read = storeB.read();

        assertEquals(config(1, "n1", "n2", "n3"), read.config());
        assertEquals(0, read.version());
    }

    @Test
    void secondCreateIsRefused() throws Exception
    {
        storeA.create(config(1, "n1", "n2", "n3"), null);

        final StaleConfigException ex =
            assertThrows(StaleConfigException.class, () -> storeB.create(config(1, "n4", "n5", "n6"), null));

        assertTrue(ex.getMessage().contains("already exists"), ex.getMessage());
        assertEquals(config(1, "n1", "n2", "n3"), storeA.read().config());
    }

    @Test
    void conditionalWriteWinsOnceAndTheStaleOneIsRefused() throws Exception
    {
        storeA.create(config(1, "n1", "n2", "n3"), null);
        final VersionedConfig seenByA = storeA.read();
        final VersionedConfig seenByB = storeB.read();

        final VersionedConfig written = storeA.update(seenByA, config(2, "n1", "n3"), null);
        final StaleConfigException ex =
            assertThrows(StaleConfigException.class, () -> storeB.update(seenByB, config(2, "n2", "n3"), null));

        assertTrue(ex.getMessage().contains("changed since it was read"), ex.getMessage());
        assertEquals(1, written.version());
        assertEquals(config(2, "n1", "n3"), storeB.read().config());
    }

    @Test
    void writeWithoutAHigherEpochIsRejectedBeforeReachingZooKeeper() throws Exception
    {
        storeA.create(config(3, "n1", "n2"), null);
        final VersionedConfig current = storeA.read();

        assertThrows(IllegalArgumentException.class, () -> storeA.update(current, config(3, "n1"), null));
        assertEquals(0, storeA.read().version());
    }

    @Test
    void deposedWriterIsRefusedOnceItsFenceZnodeIsGone() throws Exception
    {
        // The fence plays the part of a master's LeaderLatch znode: ephemeral, owned by that master's session.
        final CuratorFramework deposed = zk.newStartedClient();
        final String fence = deposed.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
            .forPath(paths.leaderLatchPath() + "/fence");
        final ConfigStore deposedStore = new ConfigStore(deposed, paths);
        deposedStore.create(config(1, "n1", "n2", "n3"), fence);
        final VersionedConfig current = deposedStore.read();

        // Its session expires, which removes the fence; the version it holds is still the current one.
        deposed.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        final CuratorFramework observer = zk.newStartedClient();
        assertTrue(ZooKeeperFixture.await(java.time.Duration.ofSeconds(5), () -> fenceGone(observer, fence)));
        assertEquals(current.version(), storeB.read().version());

        final StaleConfigException ex = assertThrows(StaleConfigException.class,
            () -> deposedStore.update(current, config(2, "n1", "n3"), fence));
        assertTrue(ex.getMessage().contains("fence"), ex.getMessage());
        assertEquals(1, storeA.read().config().epoch());
    }
}
