package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.cli.ChainCtl;
import io.chainkv.master.harness.LocalCluster;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operators take live nodes out with chainctl while clients write: a drained member leaves only after a spare has
 * taken its place, a removed tail leaves at once, and no acknowledged write is lost either way.
 */
@Timeout(300)
class DrainTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

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

    private int chainctl(final String... args)
    {
        final String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--zk";
        all[args.length + 1] = cluster.zkConnect();
        all[args.length + 2] = "--cluster";
        all[args.length + 3] = cluster.clusterName();
        return ChainCtl.run(all, new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void drainedMemberLeavesAfterASpareTookItsPlaceAndRemovedTailLeavesOnceItStoppedAnsweringReads() throws Exception
    {
        cluster = FailoverClusters.builder().nodes(4).replicationFactor(3).start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(20)));
        final ChainConfig before = cluster.awaitChain((chain) -> chain.members().size() == 3, WAIT);
        writers = new ContinuousWriters(client, 4);
        writers.awaitProgress(100, WAIT);

        final String drained = before.members().get(1).nodeId();
        assertEquals(ChainCtl.EXIT_OK, chainctl("drain", drained));
        final ChainConfig afterDrain = cluster.awaitChain((chain) -> chain.indexOf(drained) < 0, WAIT);
        assertEquals(3, afterDrain.members().size(), "the spare joined before the drained node left: " + afterDrain);
        writers.awaitProgress(100, WAIT);

        final String tail = afterDrain.tail().nodeId();
        assertEquals(ChainCtl.EXIT_OK, chainctl("remove-node", tail, "--yes"));
        final ChainConfig afterRemove = cluster.awaitChain((chain) -> chain.indexOf(tail) < 0, WAIT);
        assertEquals(afterDrain.members().subList(0, 2), afterRemove.members());
        writers.awaitProgress(100, WAIT);

        writers.stopAndVerify(client);
        assertTrue(cluster.node(drained).isAlive() && cluster.node(tail).isAlive(), "taken out, not killed");
    }
}
