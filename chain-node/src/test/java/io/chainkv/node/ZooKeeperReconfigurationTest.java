package io.chainkv.node;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.ReadMode;
import io.chainkv.client.UnavailableException;
import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterConfigCodec;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.node.harness.FreePorts;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes in ZooKeeper mode follow the configuration znode through reconfigurations (written here directly,
 * standing in for the master): the chain keeps every acknowledged write as members are spliced out.
 */
class ZooKeeperReconfigurationTest
{
    private static final String CLUSTER = "reconfig";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, ChainMember> members = new HashMap<>();
    private TestingServer zooKeeper;
    private CuratorFramework curator;
    private ClusterPaths paths;

    @BeforeEach
    void start() throws Exception
    {
        zooKeeper = new TestingServer(true);
        final ZooKeeperSettings settings = ZooKeeperSettings.defaults(zooKeeper.getConnectString());
        curator = settings.newClient();
        curator.start();
        paths = new ClusterPaths(CLUSTER);
        final List<Integer> ports = FreePorts.udp(3);
        for (int i = 1; i <= 3; i++)
        {
            final ChainMember member = new ChainMember("n" + i, "127.0.0.1:" + ports.get(i - 1));
            members.put(member.nodeId(), member);
            closeables.add(ChainNode.launch(member.nodeId(), member.endpoint(), CLUSTER,
                new ZooKeeperSettings(zooKeeper.getConnectString(), 6000, 500),
                new StoreConfig().dataDir(dir.resolve(member.nodeId())).maxEntries(10_000).maxDataBytes(64L << 20),
                null, TransportSettings.fromSystemProperties()));
        }
    }

    @AfterEach
    void stop() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        CloseHelper.quietCloseAll(curator, zooKeeper);
    }

    private ChainConfig publish(final long epoch, final String... nodeIds) throws Exception
    {
        return publish(epoch, Set.of(), nodeIds);
    }

    private ChainConfig publish(final long epoch, final Set<String> leaving, final String... nodeIds) throws Exception
    {
        final List<ChainMember> chain = new ArrayList<>();
        for (final String id : nodeIds)
        {
            // A place belongs to the incarnation that registered: what the master would record.
            chain.add(members.get(id).withIncarnation(
                NodeInfo.decode(id, curator.getData().forPath(paths.nodePath(id))).incarnation()));
        }
        final ChainConfig config = new ChainConfig(CLUSTER, 0, epoch, chain, null, leaving, false);
        final byte[] data = ClusterConfigCodec.encode(new ClusterConfig(CLUSTER, epoch, List.of(config)));
        if (null == curator.checkExists().forPath(paths.configPath()))
        {
            curator.create().creatingParentsIfNeeded().forPath(paths.configPath(), data);
        }
        else
        {
            curator.setData().forPath(paths.configPath(), data);
        }
        return config;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private ChainKvClient clientFor(final ChainConfig config)
    {
        final ChainKvClient client = ChainKvClient.connect(new ClientConfig().chainConfig(config)
            .requestTimeout(Duration.ofSeconds(20)));
        closeables.add(client);
        return client;
    }

    /** Reads at the tail and gives up after half a second: far less than the nodes' 3 s lease. */
    private ChainKvClient impatientTailReader(final ChainConfig config)
    {
        final ChainKvClient client = ChainKvClient.connect(new ClientConfig().chainConfig(config)
            .readMode(ReadMode.TAIL).attemptTimeout(Duration.ofMillis(250)).requestTimeout(Duration.ofMillis(500)));
        closeables.add(client);
        return client;
    }

    @Test
    void chainKeepsEveryAcknowledgedWriteAsMiddleAndTailAreSplicedOut() throws Exception
    {
        final ChainKvClient first = clientFor(publish(1, "n1", "n2", "n3"));
        for (int i = 0; i < 100; i++)
        {
            first.put(bytes("a" + i), bytes("a" + i));
        }

        final ChainKvClient second = clientFor(publish(2, "n1", "n3"));
        for (int i = 0; i < 100; i++)
        {
            second.put(bytes("b" + i), bytes("b" + i));
        }

        final ChainKvClient third = clientFor(publish(3, "n1"));
        for (int i = 0; i < 100; i++)
        {
            third.put(bytes("c" + i), bytes("c" + i));
        }
        for (final String prefix : List.of("a", "b", "c"))
        {
            for (int i = 0; i < 100; i++)
            {
                assertNotNull(third.get(bytes(prefix + i)), prefix + i);
            }
        }
    }

    @Test
    void successorOfASplicedHeadTakesOverWithHigherVersions() throws Exception
    {
        final ChainKvClient first = clientFor(publish(1, "n1", "n2", "n3"));
        final long before = first.put(bytes("k"), bytes("1"));

        final ChainKvClient second = clientFor(publish(2, "n2", "n3"));
        final long after = second.put(bytes("k"), bytes("2"));

        assertEquals(true, after > before, "versions keep growing across a head change: " + before + " then " + after);
        assertEquals("2", new String(second.get(bytes("k")).value(), StandardCharsets.UTF_8));
        assertEquals(after, second.get(bytes("k")).version());
    }

    @Test
    void aMemberThatSkipsAnEpochAnswersReadsAtOnce() throws Exception
    {
        clientFor(publish(1, "n1", "n2", "n3")).put(bytes("k"), bytes("1"));

        // Epoch 2 is never published: to the nodes it is an epoch they missed. A live member is only ever removed
        // after it stopped answering reads (two-step removal), so a skipped epoch hides no read they must wait for.
        final ChainConfig third = publish(3, "n1", "n2", "n3");
        clientFor(third).put(bytes("k"), bytes("2"));
        final ChainKvClient impatient = impatientTailReader(third);

        assertEquals("2", new String(impatient.get(bytes("k")).value(), StandardCharsets.UTF_8));
    }

    @Test
    void aLeavingMemberStaysInTheWritePathButAnswersNoReads() throws Exception
    {
        clientFor(publish(1, "n1", "n2", "n3")).put(bytes("k"), bytes("1"));

        final ChainConfig leaving = publish(2, Set.of("n3"), "n1", "n2", "n3");
        final ChainKvClient client = clientFor(leaving);
        client.put(bytes("k"), bytes("2"));
        final ChainKvClient impatient = impatientTailReader(leaving);

        final UnavailableException refused = assertThrows(UnavailableException.class, () -> impatient.get(bytes("k")));
        assertTrue(refused.getMessage().contains("is leaving chain 0"), refused.getMessage());
        assertEquals("2", new String(client.get(bytes("k")).value(), StandardCharsets.UTF_8),
            "the other members answer");
    }
}
