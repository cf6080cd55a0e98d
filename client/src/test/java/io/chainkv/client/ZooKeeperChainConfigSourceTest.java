package io.chainkv.client;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterConfigCodec;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.TestZooKeeper;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ZooKeeperChainConfigSourceTest
{
    private static final String CLUSTER = "test-cluster";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ClusterPaths paths = new ClusterPaths(CLUSTER);
    private TestZooKeeper zk;
    private CuratorFramework writer;
    private ZooKeeperChainConfigSource source;

    @BeforeEach
    void setUp() throws Exception
    {
        zk = new TestZooKeeper();
        writer = zk.newStartedClient();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        CloseHelper.quietClose(source);
        if (null != zk)
        {
            zk.close();
        }
    }

    private void writeConfig(final long epoch, final String endpoint) throws Exception
    {
        final byte[] data = ClusterConfigCodec.encode(new ClusterConfig(CLUSTER, epoch, List.of(
            new ChainConfig(CLUSTER, 0, epoch, List.of(new ChainMember("n1", endpoint))))));
        if (null == writer.checkExists().forPath(paths.configPath()))
        {
            writer.create().creatingParentContainersIfNeeded().forPath(paths.configPath(), data);
        }
        else
        {
            writer.setData().forPath(paths.configPath(), data);
        }
    }

    @Test
    void connectReturnsTheChainOfTheConfigurationInZooKeeper() throws Exception
    {
        writeConfig(4, "127.0.0.1:40101");

        source = ZooKeeperChainConfigSource.connect(zk.connectString(), CLUSTER, 0, WAIT);

        assertEquals(4, source.current().epoch());
        assertEquals("127.0.0.1:40101", source.current().head().endpoint());
    }

    @Test
    void connectWaitsForAConfigurationWrittenAfterIt() throws Exception
    {
        final CompletableFuture<ZooKeeperChainConfigSource> connecting = CompletableFuture.supplyAsync(
            () -> ZooKeeperChainConfigSource.connect(zk.connectString(), CLUSTER, 0, WAIT));

        writeConfig(1, "127.0.0.1:40101");
        source = connecting.get();

        assertEquals(1, source.current().epoch());
    }

    @Test
    void currentFollowsANewEpochWithoutBeingAsked() throws Exception
    {
        writeConfig(1, "127.0.0.1:40101");
        source = ZooKeeperChainConfigSource.connect(zk.connectString(), CLUSTER, 0, WAIT);

        writeConfig(2, "127.0.0.1:40102");

        assertNotNull(source.awaitEpoch(2, WAIT));
        assertEquals("127.0.0.1:40102", source.current().head().endpoint());
    }

    @Test
    void connectWithoutAConfigurationFailsSayingSoAndAskingForAMaster()
    {
        final UnavailableException ex = assertThrows(UnavailableException.class,
            () -> ZooKeeperChainConfigSource.connect(zk.connectString(), CLUSTER, 0, Duration.ofMillis(300)));

        assertTrue(ex.getMessage().startsWith("no configuration for cluster " + CLUSTER + " in ZooKeeper at " +
            zk.connectString() + "; is a master running"), ex.getMessage());
    }

    @Test
    void connectToAnUnreachableZooKeeperFailsSayingSo() throws Exception
    {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0))
        {
            closedPort = socket.getLocalPort();
        }

        final UnavailableException ex = assertThrows(UnavailableException.class,
            () -> ZooKeeperChainConfigSource.connect("127.0.0.1:" + closedPort, CLUSTER, 0, Duration.ofMillis(500)));

        assertTrue(ex.getMessage().startsWith("cannot reach ZooKeeper at 127.0.0.1:" + closedPort), ex.getMessage());
    }

    @Test
    void requestRefreshNeitherBlocksNorThrowsWhileZooKeeperIsDown() throws Exception
    {
        writeConfig(1, "127.0.0.1:40101");
        source = ZooKeeperChainConfigSource.open(writer, CLUSTER, 0, WAIT);
        zk.stopServer();

        final long startNs = System.nanoTime();
        for (int i = 0; i < 1000; i++)
        {
            source.requestRefresh();
        }

        assertTrue(System.nanoTime() - startNs < Duration.ofMillis(500).toNanos());
        assertEquals(1, source.current().epoch());
    }

    @Test
    void closingASourceLeavesABorrowedCuratorClientOpen() throws Exception
    {
        writeConfig(1, "127.0.0.1:40101");
        source = ZooKeeperChainConfigSource.open(writer, CLUSTER, 0, WAIT);

        source.close();

        assertNotNull(writer.checkExists().forPath(paths.configPath()));
    }

    @Test
    void aClientStartedWithAnOldConfigurationFindsTheNewOneByItself() throws Exception
    {
        try (FakeNode node = new FakeNode(TransportSettings.fromSystemProperties()))
        {
            // Epoch 2 names a port nothing answers on; epoch 3 (the fake node's) names the node.
            final int deadPort;
            try (ServerSocket socket = new ServerSocket(0))
            {
                deadPort = socket.getLocalPort();
            }
            writeConfig(2, "127.0.0.1:" + deadPort);
            try (ChainKvClient client = ChainKvClient.connect(new ClientConfig()
                .zooKeeper(zk.connectString(), CLUSTER)
                .attemptTimeout(Duration.ofMillis(200))
                .requestTimeout(WAIT)))
            {
                final CompletableFuture<Long> put = client.putAsync(utf8("k"), utf8("v"));
                writeConfig(node.chainConfig().epoch(), node.chainConfig().head().endpoint());

                assertEquals(1L, put.get());
                assertArrayEquals(utf8("v"), client.get(utf8("k")).value());
            }
        }
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
