package io.chainkv.master.cli;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterConfigCodec;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeRegistration;
import io.chainkv.cluster.NodeState;
import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.ChainMaster;
import io.chainkv.master.ChainPlanner;
import io.chainkv.master.zk.ZooKeeperFixture;
import io.chainkv.transport.TransportSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * chainctl status against an embedded ZooKeeper with in-process masters and node registrations.
 */
@Timeout(60)
class ChainCtlTest
{
    private static final String CLUSTER = "ctl";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ClusterPaths paths = new ClusterPaths(CLUSTER);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private ZooKeeperFixture zk;

    @BeforeEach
    void setUp() throws Exception
    {
        zk = new ZooKeeperFixture();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != zk)
        {
            zk.close();
        }
    }

    private int status(final String... extra)
    {
        final String[] args = new String[4 + extra.length];
        args[0] = "status";
        args[1] = "--zk";
        args[2] = zk.server().connectString();
        args[3] = "--cluster=" + CLUSTER;
        System.arraycopy(extra, 0, args, 4, extra.length);
        out.reset();
        err.reset();
        return ChainCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private NodeRegistration registerNode(final String nodeId, final int port) throws Exception
    {
        final NodeRegistration registration = zk.register(new NodeRegistration(
            zk.newStartedClient(), paths, new NodeInfo(nodeId, "127.0.0.1:" + port, NodeState.JOINING)));
        registration.start();
        assertTrue(registration.awaitRegistered(WAIT));
        return registration;
    }

    private ChainMaster startMaster(final String masterId) throws Exception
    {
        final ChainMaster master =
            zk.register(new ChainMaster(zk.newStartedClient(), paths, masterId, new ChainPlanner(2, false)));
        master.start();
        return master;
    }

    private String out()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void statusShowsTheChainHeadToTailWithRolesSparesAndTheLeadingMaster() throws Exception
    {
        final ChainMaster m1 = startMaster("m1");
        assertTrue(m1.awaitLeadership(WAIT));
        startMaster("m2");
        registerNode("n1", 40101);
        registerNode("n2", 40102);
        assertTrue(ZooKeeperFixture.await(WAIT, () -> ChainCtl.EXIT_OK == status()), () -> out() + err);
        registerNode("n3", 40103);
        assertTrue(ZooKeeperFixture.await(WAIT, () -> status() == ChainCtl.EXIT_OK && out().contains("spares: n3")),
            this::out);

        final String text = out();
        assertTrue(text.startsWith("cluster ctl (ZooKeeper " + zk.server().connectString() + "): epoch 1\n"), text);
        assertTrue(text.contains("chain 0 (epoch 1): n1 -> n2\n"), text);
        assertTrue(text.matches("(?s).*\\n  n1 +HEAD +joining +127\\.0\\.0\\.1:40101 .*"), text);
        assertTrue(text.matches("(?s).*\\n  n2 +TAIL +joining +127\\.0\\.0\\.1:40102 .*"), text);
        assertTrue(text.contains("note: n1: no metrics endpoint (start the node with --metrics-port)"), text);
        assertTrue(text.contains("masters: m1 (leader), m2\n"), text);
    }

    @Test
    void statusJsonIsOneObjectWithChainsNodesAndMasters() throws Exception
    {
        startMaster("m1");
        registerNode("n1", 40101);
        registerNode("n2", 40102);
        assertTrue(ZooKeeperFixture.await(WAIT, () -> ChainCtl.EXIT_OK == status("--json")), () -> out() + err);

        final JsonNode status = new ObjectMapper().readTree(out());
        assertEquals("ctl", status.get("cluster").asText());
        assertEquals(zk.server().connectString(), status.get("zk").asText());
        assertEquals(1, status.get("epoch").asLong());
        final JsonNode chain = status.get("chains").get(0);
        assertEquals(0, chain.get("chainId").asInt());
        assertEquals(1, chain.get("epoch").asLong());
        final JsonNode head = chain.get("members").get(0);
        assertEquals("n1", head.get("nodeId").asText());
        assertEquals("HEAD", head.get("role").asText());
        assertEquals("127.0.0.1:40101", head.get("endpoint").asText());
        assertTrue(head.get("registered").asBoolean());
        assertEquals("joining", head.get("state").asText());
        assertTrue(head.get("appliedSeq").isNull(), out());
        assertEquals("no metrics endpoint (start the node with --metrics-port)", head.get("probeError").asText());
        assertEquals("TAIL", chain.get("members").get(1).get("role").asText());
        assertEquals(2, status.get("nodes").size());
        assertEquals("m1", status.get("masters").get(0).get("id").asText());
        assertTrue(status.get("masters").get(0).get("leader").asBoolean());
    }

    @Test
    void statusBeforeAnyConfigurationExitsThreeAndStillShowsNodesAndMasters() throws Exception
    {
        startMaster("m1");
        registerNode("n1", 40101);

        assertEquals(ChainCtl.EXIT_NO_CONFIGURATION, status());
        assertTrue(out().contains("no configuration yet"), out());
        assertTrue(out().contains("spares: n1 127.0.0.1:40101 (JOINING)"), out());
    }

    @Test
    void statusWithWaitReturnsOnceTheMasterWritesTheEpoch() throws Exception
    {
        startMaster("m1");
        final java.util.concurrent.CompletableFuture<Integer> waiting =
            java.util.concurrent.CompletableFuture.supplyAsync(() -> status("--wait-ms", "20000", "--min-epoch", "1"));

        registerNode("n1", 40101);
        registerNode("n2", 40102);

        assertEquals(ChainCtl.EXIT_OK, waiting.get());
        assertTrue(out().contains("chain 0 (epoch 1): n1 -> n2"), out());
    }

    @Test
    void statusWithoutZooKeeperExitsTwoSayingWhatToCheck() throws Exception
    {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0))
        {
            closedPort = socket.getLocalPort();
        }
        final int rc = ChainCtl.run(new String[]{ "status", "--zk", "127.0.0.1:" + closedPort, "--timeout-ms", "500" },
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(ChainCtl.EXIT_NO_ZOOKEEPER, rc);
        final String message = err.toString(StandardCharsets.UTF_8).trim();
        assertTrue(message.startsWith("chainctl: cannot reach ZooKeeper at 127.0.0.1:" + closedPort), message);
        assertEquals(1, message.lines().count(), message);
    }

    @Test
    void anAnonymousChainctlIsRefusedByACluster() throws Exception
    {
        try (var master = zk.newStartedClient(ZooKeeperPrincipal.MASTER))
        {
            master.create().creatingParentsIfNeeded().forPath(paths.nodesPath());
        }

        assertEquals(ChainCtl.EXIT_USAGE, status("--zookeeper-auth", "off"));

        final String message = err.toString(StandardCharsets.UTF_8).trim();
        assertTrue(message.contains("NoAuth") && message.contains("refused this chainctl's login"), message);
        assertEquals(ChainCtl.EXIT_NO_CONFIGURATION, status(),
            "logged in (the suite's key file), it reads the cluster: " + err);
    }

    @Test
    void withoutAZooKeeperLoginChainctlSaysWhatToDo() throws Exception
    {
        final Path keys = Files.createTempFile("frame-only", ".keys");
        final String suiteKeys = System.getProperty(TransportSettings.KEY_FILE_PROP);
        try
        {
            Files.writeString(keys, "member 1 " + "ab".repeat(32) + "\n");
            final int rc = status("--key-file", keys.toString()); // sets chainkv.key.file for this JVM: restored below

            assertEquals(ChainCtl.EXIT_USAGE, rc);
            final String message = err.toString(StandardCharsets.UTF_8).trim();
            assertTrue(message.contains("no ZooKeeper password for chainkv-operator") &&
                message.contains("chainctl generate-keys"), message);
        }
        finally
        {
            if (null == suiteKeys)
            {
                System.clearProperty(TransportSettings.KEY_FILE_PROP);
            }
            else
            {
                System.setProperty(TransportSettings.KEY_FILE_PROP, suiteKeys);
            }
            Files.deleteIfExists(keys);
        }
    }

    private int ctl(final String... args)
    {
        out.reset();
        err.reset();
        return ChainCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void getWithoutZooKeeperExitsTwoAsStatusDoes() throws Exception
    {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0))
        {
            closedPort = socket.getLocalPort();
        }

        assertEquals(ChainCtl.EXIT_NO_ZOOKEEPER, ctl("get", "k", "--zk", "127.0.0.1:" + closedPort, "--timeout-ms", "500"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("check that it runs"), err::toString);
    }

    @Test
    void putBeforeAnyConfigurationExitsThreeSayingWhatIsMissing()
    {
        assertEquals(ChainCtl.EXIT_NO_CONFIGURATION,
            ctl("put", "k", "v", "--zk", zk.server().connectString(), "--cluster", CLUSTER, "--timeout-ms", "500"),
            err::toString);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no configuration"), err::toString);
    }

    @Test
    void mastersListsTheLeaderFirstAndExitsThreeWhenNoneRuns() throws Exception
    {
        assertEquals(ChainCtl.EXIT_NO_CONFIGURATION, ctl("masters", "--zk", zk.server().connectString(),
            "--cluster", CLUSTER));

        final ChainMaster m1 = startMaster("m1");
        assertTrue(m1.awaitLeadership(WAIT));
        startMaster("m2");

        assertTrue(ZooKeeperFixture.await(WAIT, () -> ChainCtl.EXIT_OK == ctl("masters", "--json", "--zk",
            zk.server().connectString(), "--cluster", CLUSTER) && out().contains("m2")), this::out);
        assertEquals("[{\"id\":\"m1\",\"leader\":true},{\"id\":\"m2\",\"leader\":false}]\n", out());
    }

    @Test
    void watchRefreshesTheStatusAsJsonLines() throws Exception
    {
        startMaster("m1");
        registerNode("n1", 40101);
        registerNode("n2", 40102);
        assertTrue(ZooKeeperFixture.await(WAIT, () -> ChainCtl.EXIT_OK == status()), () -> out() + err);

        assertEquals(ChainCtl.EXIT_OK, ctl("watch", "--json", "--count", "2", "--interval-ms", "50",
            "--zk", zk.server().connectString(), "--cluster", CLUSTER), err::toString);

        final java.util.List<String> lines = out().lines().toList();
        assertEquals(2, lines.size(), out());
        for (final String line : lines)
        {
            assertEquals(1, new ObjectMapper().readTree(line).get("epoch").asLong(), line);
        }
    }

    @Test
    void statusShowsAMemberWithoutARegistrationAsDownUnderTheChainLine() throws Exception
    {
        final ChainMaster m1 = startMaster("m1");
        registerNode("n1", 40101);
        final NodeRegistration n2 = registerNode("n2", 40102);
        assertTrue(ZooKeeperFixture.await(WAIT, () -> ChainCtl.EXIT_OK == status()), () -> out() + err);
        m1.close(); // no master left to splice n2 out, so it stays a member without a registration

        n2.close();

        assertTrue(ZooKeeperFixture.await(WAIT, () -> ChainCtl.EXIT_OK == status() && out().contains("down: n2")),
            this::out);
        assertTrue(out().contains("chain 0 (epoch 1): n1 -> n2\n  down: n2 (session gone: the master splices it out)\n"),
            out());
        assertTrue(out().matches("(?s).*\\n  n2 +TAIL +down +127\\.0\\.0\\.1:40102 .*"), out());
    }

    /**
     * A configuration with one chain n1 -> n2 written straight to ZooKeeper, as a master would, and no master to act on
     * removal requests, so each test sees exactly what chainctl wrote (and nothing depends on timing).
     */
    private void chainOfTwoWithoutAMaster() throws Exception
    {
        final ChainConfig chain = new ChainConfig(CLUSTER, 0, 1,
            List.of(new ChainMember("n1", "127.0.0.1:40101"), new ChainMember("n2", "127.0.0.1:40102")));
        try (var client = zk.newStartedClient())
        {
            client.create().orSetData().creatingParentsIfNeeded().forPath(paths.configPath(),
                ClusterConfigCodec.encode(new ClusterConfig(CLUSTER, 1, List.of(chain))));
        }
    }

    private String removal(final String nodeId) throws Exception
    {
        // chainctl logs in as the operator, so its removal requests are for masters (and operators) to read.
        try (var client = zk.newStartedClient(ZooKeeperPrincipal.MASTER))
        {
            final byte[] data = null == client.checkExists().forPath(paths.removalPath(nodeId)) ? null :
                client.getData().forPath(paths.removalPath(nodeId));
            return null == data ? null : new String(data, StandardCharsets.UTF_8);
        }
    }

    private String err()
    {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void drainAndAddNodeWriteAndWithdrawTheRemovalRequestInZooKeeper() throws Exception
    {
        chainOfTwoWithoutAMaster();
        final String zkConnect = zk.server().connectString();
        assertEquals(ChainCtl.EXIT_OK, ctl("drain", "n2", "--zk", zkConnect, "--cluster", CLUSTER), err::toString);
        assertTrue(out().contains("node n2 will leave its chain"), out());
        assertEquals("drain", removal("n2"));
        assertEquals(ChainCtl.EXIT_OK, ctl("remove-node", "n2", "--yes", "--zk", zkConnect, "--cluster", CLUSTER));
        assertEquals("remove", removal("n2"));

        assertEquals(ChainCtl.EXIT_OK, ctl("add-node", "n2", "--zk", zkConnect, "--cluster", CLUSTER));
        assertTrue(out().contains("node n2 may be given a place again"), out());
        assertNull(removal("n2"));
    }

    @Test
    void removeNodeWithoutYesPrintsThePlanAndChangesNothing() throws Exception
    {
        chainOfTwoWithoutAMaster();

        assertEquals(ChainCtl.EXIT_USAGE, ctl("remove-node", "n2", "--zk", zk.server().connectString(), "--cluster",
            CLUSTER));

        assertTrue(out().startsWith("plan: remove node n2 from cluster ctl now\n" +
            "  n2 is TAIL of chain 0 (epoch 1): n1 -> n2 (it is down)\n"), out());
        assertTrue(out().contains("\n  chain 0 becomes n1 (1 member) at once"), out());
        assertTrue(err().contains("remove-node changed nothing: run it again with --yes"), err());
        assertNull(removal("n2"));
    }

    @Test
    void removeNodeDryRunPrintsThePlanChangesNothingAndSucceeds() throws Exception
    {
        chainOfTwoWithoutAMaster();

        assertEquals(ChainCtl.EXIT_OK, ctl("remove-node", "n1", "--dry-run", "--zk", zk.server().connectString(),
            "--cluster", CLUSTER), this::err);

        assertTrue(out().contains("  n1 is HEAD of chain 0 (epoch 1): n1 -> n2"), out());
        assertTrue(out().contains("\n  chain 0 becomes n2 (1 member)"), out());
        assertTrue(out().endsWith("dry run: nothing changed\n"), out());
        assertNull(removal("n1"));
    }

    @Test
    void removeNodeWithYesWritesTheRemovalRequest() throws Exception
    {
        chainOfTwoWithoutAMaster();

        assertEquals(ChainCtl.EXIT_OK, ctl("remove-node", "n2", "--yes", "--zk", zk.server().connectString(),
            "--cluster", CLUSTER), this::err);

        assertTrue(out().startsWith("plan: remove node n2"), out());
        assertTrue(out().contains("node n2 leaves its chain at the next configuration"), out());
        assertEquals("remove", removal("n2"));
    }

    @Test
    void drainAndRemoveNodeRefuseANodeTheClusterDoesNotKnow() throws Exception
    {
        chainOfTwoWithoutAMaster();

        for (final String command : new String[]{ "drain", "remove-node" })
        {
            assertEquals(ChainCtl.EXIT_NOT_FOUND, ctl(command, "n9", "--zk", zk.server().connectString(),
                "--cluster", CLUSTER), command);
            assertEquals("chainctl: cluster 'ctl' has no node 'n9' (in no chain, not registered); nothing changed. " +
                "Nodes: n1, n2", err().trim(), command);
            assertNull(removal("n9"), command);
        }
    }

    @Test
    void membershipCommandsRefuseAClusterNameTheyCannotFind() throws Exception
    {
        chainOfTwoWithoutAMaster();

        for (final String[] command : new String[][]{ { "drain", "n1" }, { "remove-node", "n1", "--yes" },
            { "add-node", "n1" } })
        {
            final String[] args = java.util.Arrays.copyOf(command, command.length + 4);
            System.arraycopy(new String[]{ "--zk", zk.server().connectString(), "--cluster", "ctI" }, 0, args,
                command.length, 4);

            assertEquals(ChainCtl.EXIT_NOT_FOUND, ctl(args), command[0]);
            assertEquals("chainctl: no cluster 'ctI' in ZooKeeper at " + zk.server().connectString() + " (" +
                new ClusterPaths("ctI").clusterPath() + " does not exist); nothing changed. Clusters there: ctl; " +
                "check --cluster", err().trim(), command[0]);
        }
        try (var client = zk.newStartedClient())
        {
            assertNull(client.checkExists().forPath(new ClusterPaths("ctI").clusterPath()), "nothing written");
        }
    }

    @Test
    void membershipAndBackupCommandsWithoutZooKeeperExitTwoAsStatusDoes() throws Exception
    {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0))
        {
            closedPort = socket.getLocalPort();
        }
        final String zkConnect = "127.0.0.1:" + closedPort;

        for (final String[] command : new String[][]{
            { "drain", "n1" }, { "remove-node", "n1" }, { "add-node", "n1" },
            { "restore", "--backup", "no-such-backup", "--data-dir", "no-such-dir" },
            // Before, backup waited out its copy timeout (5 minutes) before saying anything.
            { "backup", "--dir", "no-such-backup", "--copy-timeout-ms", "600000" } })
        {
            final String[] args = java.util.Arrays.copyOf(command, command.length + 4);
            System.arraycopy(new String[]{ "--zk", zkConnect, "--timeout-ms", "500" }, 0, args, command.length, 4);
            final long startNs = System.nanoTime();

            assertEquals(ChainCtl.EXIT_NO_ZOOKEEPER, ctl(args), () -> command[0] + ": " + err);
            final String message = err.toString(StandardCharsets.UTF_8).trim();
            assertTrue(message.startsWith("chainctl: cannot reach ZooKeeper at " + zkConnect), message);
            assertEquals(1, message.lines().count(), message);
            assertTrue(System.nanoTime() - startNs < java.util.concurrent.TimeUnit.SECONDS.toNanos(20), command[0]);
        }
    }
}
