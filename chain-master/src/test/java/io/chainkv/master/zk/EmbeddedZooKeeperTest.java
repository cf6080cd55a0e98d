package io.chainkv.master.zk;

import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.master.MasterSettings;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    void listensOnLoopbackOnlyUnlessToldOtherwise() throws Exception
    {
        assertEquals("127.0.0.1", MasterSettings.EMBEDDED_ZK_HOST.defaultValue());
        zk = EmbeddedZooKeeper.start(0, null, 100, Duration.ofSeconds(10));

        assertEquals("127.0.0.1:" + zk.port(), zk.connectString());
        final InetAddress other = nonLoopbackAddress();
        Assumptions.assumeTrue(null != other, "this host has no other IPv4 address to try");
        try (Socket socket = new Socket())
        {
            assertThrows(ConnectException.class, () -> socket.connect(new InetSocketAddress(other, zk.port()), 2000));
        }
    }

    @Test
    void aWildcardHostIsReachedThroughLoopback() throws Exception
    {
        zk = EmbeddedZooKeeper.start("0.0.0.0", 0, null, 100, Duration.ofSeconds(10));

        assertEquals("127.0.0.1:" + zk.port(), zk.connectString());
        assertTrue(EmbeddedZooKeeper.fourLetterWord("127.0.0.1", zk.port(), "srvr", 1000).contains("Mode:"));
    }

    private static InetAddress nonLoopbackAddress() throws Exception
    {
        for (final NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces()))
        {
            for (final InetAddress address : Collections.list(nic.getInetAddresses()))
            {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && nic.isUp())
                {
                    return address;
                }
            }
        }
        return null;
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
