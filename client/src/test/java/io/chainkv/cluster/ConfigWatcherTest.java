package io.chainkv.cluster;

import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class ConfigWatcherTest
{
    private final ClusterPaths paths = new ClusterPaths("watch");
    private final List<Long> epochsSeen = new CopyOnWriteArrayList<>();
    private TestZooKeeper zk;
    private CuratorFramework client;
    private ConfigWatcher watcher;

    @BeforeEach
    void setUp() throws Exception
    {
        zk = new TestZooKeeper();
        client = zk.newStartedClient();
        watcher = new ConfigWatcher(client, paths, config -> epochsSeen.add(config.epoch()));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != watcher)
        {
            watcher.close();
        }
        if (null != zk)
        {
            zk.close();
        }
    }

    private static byte[] configOfEpoch(final long epoch)
    {
        return ClusterConfigCodec.encode(new ClusterConfig("watch", epoch, List.of(new ChainConfig(
            "watch", 0, epoch, List.of(new ChainMember("n1", "127.0.0.1:40101"))))));
    }

    @Test
    void deliversEachNewEpochInOrder() throws Exception
    {
        watcher.start();
        client.create().creatingParentContainersIfNeeded().forPath(paths.configPath(), configOfEpoch(1));
        assertNotNull(watcher.awaitEpoch(1, Duration.ofSeconds(5)));

        client.setData().forPath(paths.configPath(), configOfEpoch(2));
        assertNotNull(watcher.awaitEpoch(2, Duration.ofSeconds(5)));
        client.setData().forPath(paths.configPath(), configOfEpoch(3));
        assertNotNull(watcher.awaitEpoch(3, Duration.ofSeconds(5)));

        assertEquals(List.of(1L, 2L, 3L), epochsSeen);
    }

    @Test
    void deliversTheConfigThatExistedBeforeStart() throws Exception
    {
        client.create().creatingParentContainersIfNeeded().forPath(paths.configPath(), configOfEpoch(4));

        watcher.start();

        assertEquals(4, watcher.awaitEpoch(4, Duration.ofSeconds(5)).epoch());
    }

    @Test
    void ignoresOlderEpochsAndUnreadableData() throws Exception
    {
        watcher.start();
        client.create().creatingParentContainersIfNeeded().forPath(paths.configPath(), configOfEpoch(5));
        assertNotNull(watcher.awaitEpoch(5, Duration.ofSeconds(5)));

        client.setData().forPath(paths.configPath(), configOfEpoch(3));
        client.setData().forPath(paths.configPath(), "garbage".getBytes(StandardCharsets.UTF_8));
        client.setData().forPath(paths.configPath(), configOfEpoch(6));
        assertNotNull(watcher.awaitEpoch(6, Duration.ofSeconds(5)));

        assertEquals(List.of(5L, 6L), epochsSeen);
    }
}
