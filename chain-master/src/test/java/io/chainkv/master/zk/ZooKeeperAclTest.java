package io.chainkv.master.zk;

import io.chainkv.client.ZooKeeperChainConfigSource;
import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeRegistration;
import io.chainkv.cluster.NodeState;
import io.chainkv.cluster.ZooKeeperAcls;
import io.chainkv.cluster.ZooKeeperCredentials;
import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster's znodes against clients with and without logins, on the embedded ZooKeeper the local cluster runs
 * (docs/security.md, "ZooKeeper"): without credentials a process can read the configuration and nothing else of the
 * cluster, and can change nothing; a node cannot write the configuration; a master can.
 */
class ZooKeeperAclTest
{
    private static final String CLUSTER = "locked";
    private final ClusterPaths paths = new ClusterPaths(CLUSTER);
    private final ZooKeeperCredentials credentials =
        ZooKeeperCredentials.parse(ZooKeeperCredentials.generate(), "generated");
    private ZooKeeperFixture zk;
    private CuratorFramework master;
    private CuratorFramework node;
    private CuratorFramework operator;
    private CuratorFramework anonymous;
    private ConfigStore masterStore;

    @BeforeEach
    void setUp() throws Exception
    {
        zk = new ZooKeeperFixture();
        master = zk.newStartedClient(settings().withLogin(credentials, ZooKeeperPrincipal.MASTER));
        node = zk.newStartedClient(settings().withLogin(credentials, ZooKeeperPrincipal.NODE));
        operator = zk.newStartedClient(settings().withLogin(credentials, ZooKeeperPrincipal.OPERATOR));
        anonymous = zk.newStartedClient(settings());
        masterStore = new ConfigStore(master, paths);
        masterStore.create(config(1, "n1", "n2"), null);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != zk)
        {
            zk.close();
        }
    }

    @Test
    void withoutCredentialsTheConfigurationCanBeReadButNotChanged() throws Exception
    {
        final byte[] garbage = "garbage".getBytes(StandardCharsets.US_ASCII);
        assertNoAuth(() -> anonymous.setData().forPath(paths.configPath(), garbage));
        assertNoAuth(() -> anonymous.delete().forPath(paths.configPath()));
        assertNoAuth(() -> anonymous.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(paths.configPath()));
        assertNoAuth(() -> anonymous.create().forPath(paths.clusterPath() + "/other"));
        assertNoAuth(() -> anonymous.create().forPath(ClusterPaths.ROOT + "/another-cluster"));
        assertEquals(1, masterStore.read().config().epoch(), "the configuration is untouched");

        // Applications read it without credentials: configurations hold endpoints, not secrets.
        try (ZooKeeperChainConfigSource source = ZooKeeperChainConfigSource.connect(
            zk.server().connectString(), CLUSTER, 0, Duration.ofSeconds(10)))
        {
            assertEquals(List.of("n1", "n2"), source.current().members().stream().map(ChainMember::nodeId).toList());
        }
    }

    @Test
    void withoutCredentialsRegistrationsCanBeNeitherMadeNorReadNorChanged() throws Exception
    {
        final NodeRegistration registration = new NodeRegistration(node, paths,
            new NodeInfo("n1", "127.0.0.1:40101", NodeState.JOINING), settings()
            .withLogin(credentials, ZooKeeperPrincipal.NODE).acls());
        assertNull(registration.register(), "a node registers");
        final String path = paths.nodePath("n1");

        final NodeRegistration fakeBackup = new NodeRegistration(anonymous, paths,
            new NodeInfo("thief", "127.0.0.1:40199", NodeState.BACKUP));
        assertNoAuth(fakeBackup::register);
        assertNoAuth(() -> anonymous.create().withMode(CreateMode.EPHEMERAL).forPath(paths.nodePath("thief"),
            new NodeInfo("thief", "127.0.0.1:40199", NodeState.SERVING).encode()));
        assertNoAuth(() -> anonymous.setData().forPath(path, "garbage".getBytes(StandardCharsets.US_ASCII)));
        assertNoAuth(() -> anonymous.delete().forPath(path));
        assertNoAuth(() -> anonymous.getData().forPath(path));
        assertNoAuth(() -> anonymous.getChildren().forPath(paths.nodesPath()));

        // A wrong password is as good as none.
        final ZooKeeperCredentials guessed = ZooKeeperCredentials.parse(ZooKeeperCredentials.generate(), "guessed");
        final CuratorFramework impostor = zk.newStartedClient(settings().withLogin(guessed, ZooKeeperPrincipal.NODE));
        assertNoAuth(() -> impostor.create().withMode(CreateMode.EPHEMERAL).forPath(paths.nodePath("thief")));

        assertEquals(List.of("n1"), master.getChildren().forPath(paths.nodesPath()), "only the node's registration");
        registration.updateState(NodeState.SERVING);
        assertEquals(NodeState.SERVING, NodeInfo.decode("n1", operator.getData().forPath(path)).state(),
            "the node still updates its own registration; the operator reads it");
        registration.close();
        assertNull(master.checkExists().forPath(path), "and deletes it");
    }

    @Test
    void withoutCredentialsRemovalsAndElectionsCannotBeTouched() throws Exception
    {
        operator.create().creatingParentsIfNeeded().forPath(paths.removalPath("n2"),
            "remove".getBytes(StandardCharsets.US_ASCII));
        master.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
            .forPath(paths.leaderLatchPath() + "/latch-");

        assertNoAuth(() -> anonymous.create().forPath(paths.removalPath("n1")));
        assertNoAuth(() -> anonymous.delete().forPath(paths.removalPath("n2")));
        assertNoAuth(() -> anonymous.getChildren().forPath(paths.removalsPath()));
        assertNoAuth(() -> anonymous.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
            .forPath(paths.leaderLatchPath() + "/latch-"));
        assertNoAuth(() -> node.create().forPath(paths.removalPath("n1")));
        assertNoAuth(() -> operator.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
            .forPath(paths.leaderLatchPath() + "/latch-"));

        assertEquals(1, operator.getChildren().forPath(paths.leaderLatchPath()).size(), "chainctl reads the latch");
        master.delete().forPath(paths.removalPath("n2"));
    }

    @Test
    void onlyMastersWriteTheConfiguration() throws Exception
    {
        final VersionedConfig current = new ConfigStore(node, paths).read();
        assertNotNull(current, "a node reads the configuration");
        assertNoAuth(() -> new ConfigStore(node, paths).update(current, config(2, "n2"), null));
        assertNoAuth(() -> new ConfigStore(operator, paths).update(current, config(2, "n2"), null));
        assertNoAuth(() -> node.delete().forPath(paths.configPath()));

        assertEquals(2, masterStore.update(current, config(2, "n2"), null).config().epoch());
        assertEquals(2, new ConfigStore(anonymous, paths).read().config().epoch());
    }

    @Test
    void aMasterLocksDownAClusterCreatedWithoutAcls() throws Exception
    {
        final ClusterPaths old = new ClusterPaths("old");
        // As a version before ACLs left the root: world-writable.
        master.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(ClusterPaths.ROOT);
        final ConfigStore anonymousStore = new ConfigStore(anonymous, old);
        anonymousStore.create(new ClusterConfig("old", 1, List.of(new ChainConfig("old", 0, 1,
            List.of(new ChainMember("n1", "127.0.0.1:40101"))))), null);
        final NodeRegistration registration = new NodeRegistration(anonymous, old,
            new NodeInfo("n1", "127.0.0.1:40101", NodeState.SERVING));
        assertNull(registration.register());
        assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, anonymous.getACL().forPath(old.nodePath("n1")),
            "world-writable so far");

        final ZooKeeperAcls acls = new ZooKeeperAcls(credentials);
        assertTrue(acls.apply(master, old) >= 3, "root, cluster and config get their ACLs");
        assertEquals(0, acls.apply(master, old), "a second pass changes nothing");

        assertNoAuth(() -> anonymous.setData().forPath(old.configPath(), new byte[1]));
        assertNoAuth(() -> anonymous.create().forPath(ClusterPaths.ROOT + "/another-cluster"));
        assertArrayEquals(anonymous.getData().forPath(old.configPath()), master.getData().forPath(old.configPath()),
            "the configuration stays readable");
        registration.updateState(NodeState.DRAINING); // the anonymous node still publishes until it restarts

        registration.close(); // it restarts with a login: the last anonymous registration is gone
        acls.apply(master, old);
        assertNoAuth(() -> anonymous.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
            .forPath(old.nodePath("thief")));
    }

    /**
     * Long sessions: this test is about who may do what, and a loaded machine must not expire a registration under it.
     */
    private ZooKeeperSettings settings()
    {
        return new ZooKeeperSettings(zk.server().connectString(), EmbeddedZooKeeper.MAX_SESSION_TIMEOUT_MS, 2_000);
    }

    private static void assertNoAuth(final Executable executable)
    {
        assertThrows(KeeperException.NoAuthException.class, executable);
    }

    private static ClusterConfig config(final long epoch, final String... nodeIds)
    {
        final List<ChainMember> members = new java.util.ArrayList<>();
        for (int i = 0; i < nodeIds.length; i++)
        {
            members.add(new ChainMember(nodeIds[i], "127.0.0.1:" + (40101 + i)));
        }
        return new ClusterConfig(CLUSTER, epoch, List.of(new ChainConfig(CLUSTER, 0, epoch, members)));
    }
}
