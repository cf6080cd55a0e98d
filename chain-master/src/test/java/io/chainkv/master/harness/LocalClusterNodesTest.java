package io.chainkv.master.harness;

import io.chainkv.client.ChainKvClient;
import io.chainkv.config.ChainConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The harness with real nodes in ZooKeeper mode. Skipped where the node on the classpath has no {@code --zk}.
 */
@Timeout(180)
class LocalClusterNodesTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void needsTheNodesZooKeeperMode()
    {
        assumeTrue(LocalCluster.nodeSupportsZooKeeper(), "io.chainkv.node.NodeMain has no --zk on this classpath");
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void threeNodesFormAChainInIdOrderThatAClientWritesAndReads()
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).masters(2).start();
            ChainKvClient client = ChainKvClient.connect(cluster.clientConfig()))
        {
            final ChainConfig chain = cluster.currentConfig().chain(0);

            client.put(utf8("k"), utf8("v"));

            assertEquals(3, chain.members().size());
            assertArrayEquals(utf8("v"), client.get(utf8("k")).value());
        }
    }

    @Test
    void killingAMiddleNodeSplicesItOutAndTheChainStillServes()
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).masters(2).start();
            ChainKvClient client = ChainKvClient.connect(cluster.clientConfig()))
        {
            final ChainConfig before = cluster.currentConfig().chain(0);
            final String middle = before.members().get(1).nodeId();
            client.put(utf8("before"), utf8("1"));

            cluster.node(middle).kill9();
            final ChainConfig after = cluster.awaitChain(chain -> chain.indexOf(middle) < 0, WAIT);
            client.put(utf8("after"), utf8("2"));

            assertEquals(List.of(before.head(), before.tail()), after.members());
            assertArrayEquals(utf8("1"), client.get(utf8("before")).value());
            assertArrayEquals(utf8("2"), client.get(utf8("after")).value());
        }
    }
}
