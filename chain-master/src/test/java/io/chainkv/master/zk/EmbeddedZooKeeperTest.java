package io.chainkv.master.zk;

import io.chainkv.cluster.ZooKeeperSettings;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedZooKeeperTest
{
    @TempDir
    Path tempDir;

    private EmbeddedZooKeeper zk;
    private CuratorFramework client;

    @AfterEach
    void tearDown()
    {
        if (null != client)
        {
            client.close();
        }
        if (null != zk)
        {
            zk.close();
        }
    }

    private CuratorFramework connect(final int sessionTimeoutMs) throws InterruptedException
    {
        client = new ZooKeeperSettings(zk.connectString(), sessionTimeoutMs, 2000).newClient();
        client.start();
        assertTrue(client.blockUntilConnected(5, TimeUnit.SECONDS));
        return client;
    }

    @Test
    void startReturnsOnlyWhenSrvrAnswersMode() throws Exception
    {
        zk = EmbeddedZooKeeper.start(0, null, 100, Duration.ofSeconds(10));

        final String answer = EmbeddedZooKeeper.fourLetterWord("127.0.0.1", zk.port(), "srvr", 1000);

        assertTrue(answer.contains("Mode: standalone"), answer);
    }

    @Test
    void serverHonoursSessionTimeoutsDownToTwoTicks() throws Exception
    {
        zk = EmbeddedZooKeeper.start(0, null, 100, Duration.ofSeconds(10));

        connect(200);

        assertEquals(200, client.getZookeeperClient().getZooKeeper().getSessionTimeout());
    }

    @Test
    void dataSurvivesARestartOnTheSameDataDir() throws Exception
    {
        zk = EmbeddedZooKeeper.start(0, tempDir, 100, Duration.ofSeconds(10));
        connect(600).create().forPath("/kept", "yes".getBytes(StandardCharsets.UTF_8));
        client.close();
        client = null;
        final int port = zk.port();
        zk.close();

        zk = EmbeddedZooKeeper.start(port, tempDir, 100, Duration.ofSeconds(10));

        assertArrayEquals("yes".getBytes(StandardCharsets.UTF_8), connect(600).getData().forPath("/kept"));
    }

    @Test
    void temporaryDataDirIsDeletedOnClose() throws Exception
    {
        zk = EmbeddedZooKeeper.start(0, null, 100, Duration.ofSeconds(10));
        final Path dir = zk.dataDir();
        assertTrue(Files.isDirectory(dir));

        zk.close();
        zk = null;

        assertFalse(Files.exists(dir));
    }
}
