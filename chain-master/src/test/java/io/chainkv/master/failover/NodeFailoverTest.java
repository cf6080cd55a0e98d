package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * kill -9 of chain members while 8 client threads write: the chain is spliced, writes resume, and every
 * acknowledged write is there exactly once.
 */
@Timeout(240)
class NodeFailoverTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int WRITERS = 8;

    private LocalCluster cluster;
    private ChainKvClient client;
    private ContinuousWriters writers;

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != writers)
        {
            writers.close();
        }
        CloseHelper.quietCloseAll(client, cluster);
    }

    private ChainConfig start() throws InterruptedException
    {
        cluster = FailoverClusters.builder().start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(10)));
        writers = new ContinuousWriters(client, WRITERS);
        writers.awaitProgress(100, WAIT);
        return cluster.currentConfig().chain(0);
    }

    private ChainConfig kill(final String nodeId) throws InterruptedException
    {
        cluster.node(nodeId).kill9();
        final ChainConfig after = cluster.awaitChain((chain) -> chain.indexOf(nodeId) < 0, WAIT);
        writers.awaitProgress(100, WAIT);
        return after;
    }

    @Test
    void headKilledUnderLoad() throws Exception
    {
        final ChainConfig before = start();
        final ChainConfig after = kill(before.head().nodeId());

        assertEquals(before.members().subList(1, 3), after.members());
        writers.stopAndVerify(client);
    }

    @Test
    void middleKilledUnderLoad() throws Exception
    {
        final ChainConfig before = start();
        final ChainConfig after = kill(before.members().get(1).nodeId());

        assertEquals(List.of(before.head(), before.tail()), after.members());
        writers.stopAndVerify(client);
    }

    @Test
    void tailKilledUnderLoad() throws Exception
    {
        final ChainConfig before = start();
        final ChainConfig after = kill(before.tail().nodeId());

        assertEquals(before.members().subList(0, 2), after.members());
        writers.stopAndVerify(client);
    }

    @Test
    void twoNodesKilledOneAfterTheOther() throws Exception
    {
        final ChainConfig before = start();
        kill(before.members().get(1).nodeId());
        final ChainConfig after = kill(before.head().nodeId());

        assertEquals(List.of(before.tail()), after.members());
        writers.stopAndVerify(client);
    }
}
