package io.chainkv.client.tools;

import io.chainkv.client.FakeNode;
import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterConfigCodec;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.TestZooKeeper;
import io.chainkv.config.ChainConfig;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KvTool's output and exit codes against a {@link FakeNode}.
 */
@Timeout(60)
class KvToolTest
{
    private static FakeNode node;

    @TempDir
    Path tempDir;

    private Path configFile;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void startNode()
    {
        node = new FakeNode(TransportSettings.fromSystemProperties());
    }

    @AfterAll
    static void stopNode()
    {
        CloseHelper.close(node);
    }

    @BeforeEach
    void writeConfig() throws IOException
    {
        node.reset();
        configFile = tempDir.resolve("chain.properties");
        try (OutputStream stream = Files.newOutputStream(configFile))
        {
            node.chainConfig().toProperties().store(stream, null);
        }
    }

    @Test
    void putPrintsOkWithTheVersionAndExitsZero()
    {
        assertEquals(KvTool.EXIT_OK, kv("put", "k", "v"));
        assertEquals("OK version=1", out().trim());
    }

    @Test
    void getPrintsTheValueAndExitsZero()
    {
        kv("put", "k", "héllo");
        out.reset();

        assertEquals(KvTool.EXIT_OK, kv("get", "k"));
        assertEquals("héllo", out().trim());
    }

    @Test
    void getWithVersionPrintsTheVersionBeforeTheValue()
    {
        kv("put", "k", "v");
        out.reset();

        assertEquals(KvTool.EXIT_OK, kv("get", "--with-version", "k"));
        assertEquals("version=1\nv", out().trim().replace("\r", ""));
    }

    @Test
    void getTakesAReadMode()
    {
        kv("put", "k", "v");
        out.reset();

        assertEquals(KvTool.EXIT_OK, kv("get", "--read-mode", "TAIL", "k"));
        assertEquals("v", out().trim());
    }

    @Test
    void getWithAnUnknownReadModeIsRefusedNamingTheModes()
    {
        assertEquals(KvTool.EXIT_ERROR, kv("get", "--read-mode", "SOMETIMES", "k"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("LINEARIZABLE"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void getOfAnAbsentKeyPrintsNotFoundAndExitsOne()
    {
        assertEquals(KvTool.EXIT_NOT_FOUND, kv("get", "missing"));
        assertEquals("NOT_FOUND", out().trim());
    }

    @Test
    void deleteOfAnAbsentKeyPrintsNotFoundAndExitsOne()
    {
        assertEquals(KvTool.EXIT_NOT_FOUND, kv("delete", "missing"));
        assertEquals("NOT_FOUND", out().trim());
    }

    @Test
    void casWithTheCurrentVersionPrintsOkAndExitsZero()
    {
        kv("put", "k", "v1");
        out.reset();

        assertEquals(KvTool.EXIT_OK, kv("cas", "k", "1", "v2"));
        assertEquals("OK version=2", out().trim());
    }

    @Test
    void casWithAStaleVersionPrintsVersionMismatchAndExitsThree()
    {
        kv("put", "k", "v1");
        kv("put", "k", "v2");
        out.reset();

        assertEquals(KvTool.EXIT_VERSION_MISMATCH, kv("cas", "k", "1", "v3"));
        assertEquals("VERSION_MISMATCH version=2", out().trim());
    }

    @Test
    void unknownCommandExitsTwoWithOneLineOnStderr()
    {
        assertEquals(KvTool.EXIT_ERROR, kv("frobnicate", "k"));
        assertOneErrorLine();
    }

    @Test
    void missingConfigFileExitsTwoWithOneLineOnStderr()
    {
        assertEquals(KvTool.EXIT_ERROR, KvTool.run(new String[]{ "--config", tempDir.resolve("nope").toString(),
            "get", "k" }, new PrintStream(out, true), new PrintStream(err, true)));
        assertOneErrorLine();
        assertTrue(err().contains("nope"), err());
    }

    @Test
    void unansweredRequestExitsTwoWithTheTimeoutOnStderr()
    {
        node.silent(true);

        assertEquals(KvTool.EXIT_ERROR, kv("--timeout-ms", "300", "put", "k", "v"));
        assertOneErrorLine();
        assertTrue(err().contains("no answer"), err());
    }

    @Test
    void putWithZooKeeperFindsTheChainTheConfigurationNames() throws Exception
    {
        try (TestZooKeeper zk = new TestZooKeeper())
        {
            final ClusterPaths paths = new ClusterPaths(node.chainConfig().clusterName());
            final ChainConfig chain = new ChainConfig(node.chainConfig().clusterName(), 0, node.chainConfig().epoch(),
                node.chainConfig().members());
            zk.newStartedClient().create().creatingParentContainersIfNeeded().forPath(paths.configPath(),
                ClusterConfigCodec.encode(new ClusterConfig(chain.clusterName(), chain.epoch(), List.of(chain))));

            assertEquals(KvTool.EXIT_OK, run("--zk", zk.connectString(), "--cluster", paths.cluster(), "put", "k", "v"));
            assertEquals("OK version=1", out().trim());
        }
    }

    @Test
    void zooKeeperWithoutAConfigurationExitsTwoAskingForAMaster() throws Exception
    {
        try (TestZooKeeper zk = new TestZooKeeper())
        {
            assertEquals(KvTool.EXIT_ERROR, run("--zk", zk.connectString(), "--cluster", "empty", "--timeout-ms", "300",
                "get", "k"));
            assertOneErrorLine();
            assertTrue(err().contains("no configuration for cluster empty"), err());
        }
    }

    @Test
    void bothConfigAndZooKeeperExitsTwoSayingToGiveOne()
    {
        assertEquals(KvTool.EXIT_ERROR, kv("--zk", "127.0.0.1:2181", "get", "k"));
        assertOneErrorLine();
        assertTrue(err().contains("give either --zk"), err());
    }

    private int run(final String... args)
    {
        return KvTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private int kv(final String... args)
    {
        final String[] full = new String[args.length + 2];
        full[0] = "--config";
        full[1] = configFile.toString();
        System.arraycopy(args, 0, full, 2, args.length);
        return KvTool.run(full, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err()
    {
        return err.toString(StandardCharsets.UTF_8);
    }

    private void assertOneErrorLine()
    {
        final String text = err().trim();
        assertTrue(text.startsWith("error: "), text);
        assertEquals(1, text.lines().count(), text);
    }
}
