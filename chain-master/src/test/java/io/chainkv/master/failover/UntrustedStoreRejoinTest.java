package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.node.chain.StoreInspection;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import io.chainkv.node.store.BootId;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.chainkv.master.failover.KeyWrites.value;
import static io.chainkv.master.failover.KeyWrites.writeKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A restarted member rejoins by a delta only from a store it can vouch for (docs/store.md, "Which stores a node
 * trusts"): one killed in an earlier boot of its machine may lack writes its metadata claims, so it is set aside and the
 * node rejoins by a full transfer; one closed cleanly, or killed in the same boot, rejoins by a delta as before. The
 * nodes read their boot id from a file the test rewrites to make a restarted node believe its machine restarted
 * ({@link BootId#FILE_PROP}). Real processes, kill -9 for real.
 */
@Timeout(240)
class UntrustedStoreRejoinTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BOOT_A = "0b0e4f1c-5a6d-4e4f-9f3a-1c2d3e4f5a6b";
    private static final String BOOT_B = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
    private static final int KEYS = 2_000;

    @TempDir
    Path tmp;

    private Path bootIdFile;
    private LocalCluster cluster;
    private ChainKvClient client;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, cluster);
    }

    private void start() throws IOException
    {
        bootIdFile = tmp.resolve("boot_id");
        Files.writeString(bootIdFile, BOOT_A + "\n");
        cluster = FailoverClusters.builder().nodes(3).replicationFactor(3)
            .nodeSystemProperty(BootId.FILE_PROP, bootIdFile.toString()).start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(20)));
        cluster.awaitChain((chain) -> chain.members().size() == 3, WAIT);
    }

    @Test
    void memberKilledAndRestartedInAnotherBootRejoinsByAFullTransferAndEndsIdenticalToTheOthers() throws Exception
    {
        start();
        writeKeys(client, 0, KEYS, "v1");
        final NodeProcess middle = cluster.node(cluster.currentConfig().chain(0).members().get(1).nodeId());

        middle.kill9();
        cluster.awaitChain((chain) -> chain.indexOf(middle.id()) < 0, WAIT);
        writeKeys(client, 0, KEYS / 10, "v2");
        // The machine "restarted": whatever the page cache held of the killed node's store may be gone.
        Files.writeString(bootIdFile, BOOT_B + "\n");
        middle.restart();
        final ChainConfig healed = awaitFullChainWithTail(middle.id());

        final Map<String, Long> counters = NodeCountersReader.read(middle.aeronDir().toFile());
        assertEquals(1L, counters.get("full transfers received"), counters.toString());
        assertEquals(0L, counters.get("delta transfers received"), counters.toString());
        assertEquals(1, setAsideStores(middle).size(), "the untrusted store was set aside, not deleted");
        assertEquals("v2-7", value(client, "k7"));
        assertEquals("v1-" + (KEYS - 1), value(client, "k" + (KEYS - 1)));
        assertMembersIdentical(healed);
    }

    @Test
    void memberStoppedCleanlyAndRestartedInTheSameBootStillRejoinsByADelta() throws Exception
    {
        start();
        writeKeys(client, 0, KEYS, "v1");
        final NodeProcess middle = cluster.node(cluster.currentConfig().chain(0).members().get(1).nodeId());

        middle.stop();
        cluster.awaitChain((chain) -> chain.indexOf(middle.id()) < 0, WAIT);
        writeKeys(client, 0, KEYS / 10, "v2");
        middle.restart();
        final ChainConfig healed = awaitFullChainWithTail(middle.id());

        final Map<String, Long> counters = NodeCountersReader.read(middle.aeronDir().toFile());
        assertEquals(1L, counters.get("delta transfers received"), counters.toString());
        assertEquals(0L, counters.get("full transfers received"), counters.toString());
        assertEquals(List.of(), setAsideStores(middle));
        assertEquals("v2-7", value(client, "k7"));
        assertMembersIdentical(healed);
    }

    private ChainConfig awaitFullChainWithTail(final String tailId)
    {
        return cluster.awaitChain((chain) -> chain.members().size() == 3 && null == chain.joiner() &&
            !chain.tailProvisional() && chain.tail().nodeId().equals(tailId), WAIT);
    }

    private static List<Path> setAsideStores(final NodeProcess node) throws IOException
    {
        try (Stream<Path> files = Files.list(node.dataDir()))
        {
            return files.filter((f) -> f.getFileName().toString().startsWith("untrusted-")).toList();
        }
    }

    /**
     * Waits until every member has applied the same seq, stops them (cleanly, so the test opens their stores in any
     * boot), and compares their stores.
     */
    private void assertMembersIdentical(final ChainConfig chain) throws InterruptedException
    {
        final List<NodeProcess> members = chain.members().stream().map((m) -> cluster.node(m.nodeId())).toList();
        StoreInspection.awaitConverged(members, WAIT);
        final List<Long> digests = new ArrayList<>();
        for (final NodeProcess node : members)
        {
            node.stop();
            digests.add(StoreInspection.digestOf(node));
        }
        assertEquals(1, digests.stream().distinct().count(), "members' stores differ: " + digests);
    }
}
