package io.chainkv.master.harness;

import io.chainkv.client.ClientConfig;
import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ConfigWatcher;
import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.MasterMain;
import io.chainkv.master.cli.ClusterStatus;
import io.chainkv.master.zk.StandaloneZooKeeperMain;
import io.chainkv.node.harness.ChildProcess;
import io.chainkv.node.harness.FreePorts;
import io.chainkv.node.harness.JvmCommand;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.transport.TransportSettings;
import org.apache.curator.framework.CuratorFramework;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A whole cluster of real processes on this machine, for tests: a ZooKeeper server, masters and nodes in
 * ZooKeeper mode.
 * <pre>
 * try (LocalCluster cluster = LocalCluster.builder().nodes(3).masters(2).start();
 *     ChainKvClient client = ChainKvClient.connect(cluster.clientConfig()))
 * {
 *     cluster.node("n2").kill9();
 *     cluster.awaitChain(chain -&gt; chain.indexOf("n2") &lt; 0, Duration.ofSeconds(10));
 * }
 * </pre>
 * {@link Builder#start()} launches each process as
 * {@code java @<chainkv.jvm.options> -cp <java.class.path> <main> ...}, waits for its ready line, and then
 * (when there are at least replication-factor nodes) for the first configuration, through a Curator client and a
 * {@link ConfigWatcher} of its own. Logs go to {@code target/cluster-tests/<test>/logs/} and stay;
 * {@link #close()} kills every process it started (by PID, nothing else), and deletes the data directories and
 * the Aeron directories under /dev/shm, also when the test failed. A JVM shutdown hook does the same for a
 * cluster that was never closed.
 */
public final class LocalCluster implements AutoCloseable
{
    public static final String NODE_MAIN = LocalChain.NODE_MAIN;
    public static final String MASTER_MAIN = MasterMain.class.getName();
    public static final String ZOOKEEPER_MAIN = StandaloneZooKeeperMain.class.getName();

    /** Session timeout of the harness's own ZooKeeper client: long, so a ZooKeeper restart does not end it. */
    private static final int OBSERVER_SESSION_TIMEOUT_MS = 10_000;
    private static final Set<LocalCluster> OPEN = ConcurrentHashMap.newKeySet();
    private static final Set<String> NAMES_IN_USE = ConcurrentHashMap.newKeySet();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(
            () ->
            {
                for (final LocalCluster cluster : OPEN)
                {
                    cluster.close();
                }
            },
            "local-cluster-cleanup"));
    }

    private final String name;
    private final Path dir;
    private final Path aeronParent;
    private final String clusterName;
    private final ClusterPaths paths;
    private final String zkConnect;
    private final List<ChildProcess> zooKeepers;
    private final Map<String, Integer> nodeServers = new ConcurrentHashMap<>();
    private final Map<String, MasterProcess> masters = new LinkedHashMap<>();
    private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> nodeOptionOverrides = new ConcurrentHashMap<>();
    private CuratorFramework curator;
    private ConfigWatcher watcher;
    private boolean closed;

    private LocalCluster(
        final String name,
        final Path dir,
        final Path aeronParent,
        final String clusterName,
        final String zkConnect,
        final List<ChildProcess> zooKeepers)
    {
        this.name = name;
        this.dir = dir;
        this.aeronParent = aeronParent;
        this.clusterName = clusterName;
        this.paths = new ClusterPaths(clusterName);
        this.zkConnect = zkConnect;
        this.zooKeepers = List.copyOf(zooKeepers);
    }

    /**
     * @return a builder: 3 nodes, 2 masters, replication factor = nodes, 600 ms sessions, 100 ms tick.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return the name of this cluster's directory under target/cluster-tests.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return target/cluster-tests/&lt;name&gt;: logs/, data/.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * @return the directory under /dev/shm holding every node's Aeron directory; deleted on close.
     */
    public Path aeronParent()
    {
        return aeronParent;
    }

    /**
     * @return true if the node's main on the classpath has ZooKeeper mode ({@code --zk}); tests that need real
     * nodes in a cluster skip without it.
     */
    public static boolean nodeSupportsZooKeeper()
    {
        return io.chainkv.node.NodeSettings.ALL.contains(io.chainkv.config.ProcessSettings.ZK);
    }

    /**
     * @param process a node or master started with {@link Builder#metrics()}, ready.
     * @return host:port of its metrics endpoint, from its ready line.
     * @throws IllegalStateException if its ready line names none.
     */
    public static String metricsEndpointOf(final ChildProcess process)
    {
        final String line = process.readyLine();
        final int at = null == line ? -1 : line.indexOf(" metrics=");
        if (at < 0)
        {
            throw new IllegalStateException(process.name() + " serves no metrics (ready line: " + line + ")");
        }
        final int end = line.indexOf(' ', at + 1);
        return line.substring(at + " metrics=".length(), end < 0 ? line.length() : end).trim();
    }

    /**
     * @return the connect string of the cluster's ZooKeeper server or ensemble (the same across restarts).
     */
    public String zkConnect()
    {
        return zkConnect;
    }

    public String clusterName()
    {
        return clusterName;
    }

    public ClusterPaths paths()
    {
        return paths;
    }

    /**
     * Gives one node an option from its next start on, replacing the value every node was given (or adding it): a
     * node unlike the others, e.g. a smaller {@code --max-entries} for a node restarted on an emptied data directory
     * (store limits are fixed when a store is created).
     *
     * @param nodeId a node, e.g. "n3".
     * @param name   the option, e.g. "--max-entries".
     * @param value  its value for that node.
     */
    public void nodeOption(final String nodeId, final String name, final String value)
    {
        node(nodeId);
        nodeOptionOverrides.computeIfAbsent(nodeId, (id) -> new ConcurrentHashMap<>()).put(name, value);
    }

    private List<String> withOverrides(final String nodeId, final List<String> command)
    {
        final Map<String, String> overrides = nodeOptionOverrides.get(nodeId);
        if (null == overrides)
        {
            return command;
        }
        final List<String> changed = new ArrayList<>(command);
        overrides.forEach((name, value) ->
        {
            final int at = changed.lastIndexOf(name);
            if (at >= 0 && at + 1 < changed.size())
            {
                changed.set(at + 1, value);
            }
            else
            {
                // The node's own arguments come last in its command line.
                changed.add(name);
                changed.add(value);
            }
        });
        return changed;
    }

    /**
     * @return the harness's own Curator client (session {@value #OBSERVER_SESSION_TIMEOUT_MS} ms), for reading
     * ZooKeeper in a test; do not close it.
     */
    public CuratorFramework curator()
    {
        return curator;
    }

    /**
     * @return the newest configuration the harness has seen, or null before the first.
     */
    public ClusterConfig currentConfig()
    {
        return watcher.current();
    }

    /**
     * @param minEpoch the cluster epoch to wait for.
     * @param timeout  how long.
     * @return the first configuration seen with at least that epoch.
     * @throws IllegalStateException on timeout, with the cluster's status.
     */
    public ClusterConfig awaitEpoch(final long minEpoch, final Duration timeout)
    {
        try
        {
            final ClusterConfig config = watcher.awaitEpoch(minEpoch, timeout);
            if (null == config)
            {
                throw new IllegalStateException("cluster " + clusterName + " did not reach epoch " + minEpoch +
                    " within " + timeout.toMillis() + " ms\n" + describe());
            }
            return config;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    /**
     * @param condition what chain 0 must look like, e.g. {@code chain -> chain.indexOf("n2") < 0}.
     * @param timeout   how long.
     * @return chain 0 of the first configuration seen that satisfies the condition.
     * @throws IllegalStateException on timeout, with the cluster's status.
     */
    public ChainConfig awaitChain(final Predicate<ChainConfig> condition, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        long epoch = 1;
        while (true)
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            try
            {
                final ClusterConfig config = watcher.awaitEpoch(epoch, Duration.ofNanos(Math.max(0, remainingNs)));
                if (null != config)
                {
                    final ChainConfig chain = config.chain(0);
                    if (null != chain && condition.test(chain))
                    {
                        return chain;
                    }
                    epoch = config.epoch() + 1;
                    continue;
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", ex);
            }
            throw new IllegalStateException("chain 0 of cluster " + clusterName + " never met the condition within " +
                timeout.toMillis() + " ms\n" + describe());
        }
    }

    /**
     * @return what ZooKeeper holds now: configuration, live nodes, masters.
     */
    public ClusterStatus status()
    {
        try
        {
            return ClusterStatus.read(curator, paths);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot read the status of " + clusterName + " at " + zkConnect(), ex);
        }
    }

    /**
     * @return a client configuration following this cluster in ZooKeeper; connect with it, and close the client.
     */
    public ClientConfig clientConfig()
    {
        return new ClientConfig().zooKeeper(zkConnect(), clusterName);
    }

    /**
     * @param nodeId e.g. "n1".
     * @return the node.
     */
    public NodeProcess node(final String nodeId)
    {
        final NodeProcess node = nodes.get(nodeId);
        if (null == node)
        {
            throw new IllegalArgumentException("no node " + nodeId + " in " + nodes.keySet());
        }
        return node;
    }

    /**
     * @return the nodes n1..nN in id order (not chain order: see {@link #currentConfig()}).
     */
    public List<NodeProcess> nodes()
    {
        return Collections.unmodifiableList(new ArrayList<>(nodes.values()));
    }

    /**
     * @param masterId e.g. "m1".
     * @return the master.
     */
    public MasterProcess master(final String masterId)
    {
        final MasterProcess master = masters.get(masterId);
        if (null == master)
        {
            throw new IllegalArgumentException("no master " + masterId + " in " + masters.keySet());
        }
        return master;
    }

    public List<MasterProcess> masters()
    {
        return Collections.unmodifiableList(new ArrayList<>(masters.values()));
    }

    /**
     * @param timeout how long to wait for a running master to lead.
     * @return the leading master, as ZooKeeper's latch says; a killed master keeps its latch node until its
     * session expires, so this waits past that.
     */
    public MasterProcess awaitLeader(final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadlineNs)
        {
            final String leader = leaderId();
            if (null != leader && masters.containsKey(leader) && masters.get(leader).isAlive())
            {
                return masters.get(leader);
            }
            sleep(20);
        }
        throw new IllegalStateException("no master led within " + timeout.toMillis() + " ms\n" + describe());
    }

    /**
     * @return the (first) ZooKeeper server process: kill9(), restart() on its data directory and port, stop().
     */
    public ChildProcess zooKeeper()
    {
        return zooKeepers.get(0);
    }

    /**
     * @return every ZooKeeper server process: one, or the ensemble's servers 1..N in order.
     */
    public List<ChildProcess> zooKeeperServers()
    {
        return zooKeepers;
    }

    /**
     * @param serverId 1..N.
     * @return what the server's {@code srvr} says its mode is now ("leader", "follower", "standalone"), or a sentence
     * saying why it cannot tell.
     */
    public String zooKeeperMode(final int serverId)
    {
        final String connect = zkConnect.split(",")[serverId - 1];
        final int colon = connect.lastIndexOf(':');
        try
        {
            final String answer = io.chainkv.master.zk.EmbeddedZooKeeper.fourLetterWord(
                connect.substring(0, colon), Integer.parseInt(connect.substring(colon + 1)), "srvr", 1000);
            final int at = answer.indexOf("Mode: ");
            return at < 0 ? "not serving: " + answer.strip() : answer.substring(at + 6).split("\\s")[0];
        }
        catch (final IOException ex)
        {
            return "unreachable: " + ex.getMessage();
        }
    }

    /**
     * @param nodeId a node started with {@link Builder#nodeOnOneFollower(String)}.
     * @return the id of the only ZooKeeper server the node connects to.
     */
    public int zooKeeperServerOf(final String nodeId)
    {
        final Integer server = nodeServers.get(nodeId);
        if (null == server)
        {
            throw new IllegalArgumentException(nodeId + " connects to every ZooKeeper server");
        }
        return server;
    }

    /**
     * Kills every process the cluster started (SIGKILL, by PID), closes the harness's ZooKeeper client, deletes
     * the data directories and the Aeron directories. Logs stay. Safe to call more than once.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        final List<ChildProcess> processes = new ArrayList<>();
        for (final NodeProcess node : nodes.values())
        {
            processes.add(node.process());
        }
        for (final MasterProcess master : masters.values())
        {
            processes.add(master.process());
        }
        processes.addAll(zooKeepers);
        for (final ChildProcess process : processes)
        {
            try
            {
                process.destroyAll();
            }
            catch (final RuntimeException ex)
            {
                failure = addTo(failure, ex);
            }
        }
        try
        {
            if (null != watcher)
            {
                watcher.close();
            }
            if (null != curator)
            {
                curator.close();
            }
        }
        catch (final RuntimeException ex)
        {
            failure = addTo(failure, ex);
        }
        for (final Path path : new Path[]{ Boolean.getBoolean(LocalChain.KEEP_DATA_PROP) ? null : dir.resolve("data"),
            aeronParent })
        {
            try
            {
                LocalChain.deleteRecursively(path);
            }
            catch (final RuntimeException ex)
            {
                failure = addTo(failure, ex);
            }
        }
        OPEN.remove(this);
        NAMES_IN_USE.remove(name);
        if (null != failure)
        {
            throw failure;
        }
    }

    public String toString()
    {
        return "LocalCluster{" + name + ", zk=" + zkConnect() + ", cluster=" + clusterName + "}";
    }

    private String leaderId()
    {
        try
        {
            return ClusterStatus.readMasters(curator, paths).stream().findFirst().map(ClusterStatus.Master::id)
                .orElse(null);
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    private String describe()
    {
        String status;
        try
        {
            status = ClusterStatus.read(curator, paths).toText();
        }
        catch (final Exception ex)
        {
            status = "(cannot read ZooKeeper: " + ex + ")";
        }
        return "---- cluster status ----\n" + status + "logs: " + dir.resolve("logs");
    }

    /**
     * @param sessionTimeoutMs    session timeout.
     * @param connectionTimeoutMs connection timeout.
     * @param principal           who to log in as: the cluster's processes get the suite's key file, whose ZooKeeper
     *                            logins this uses too (unless -Dchainkv.zookeeper.auth=off).
     * @return how a test's own ZooKeeper client (a backup taker, an observer) reaches this cluster.
     */
    public ZooKeeperSettings zooKeeperSettings(
        final int sessionTimeoutMs, final int connectionTimeoutMs, final ZooKeeperPrincipal principal)
    {
        return new ZooKeeperSettings(zkConnect(), sessionTimeoutMs, connectionTimeoutMs).withLoginFrom(
            System.getProperty(ZooKeeperSettings.AUTH_PROP), System.getProperty(TransportSettings.KEY_FILE_PROP),
            principal);
    }

    private void startObserver()
    {
        // The harness is the operator: it reads registrations and the masters' latch, and writes removal requests,
        // with the suite's key file (docs/security.md, "ZooKeeper").
        curator = zooKeeperSettings(OBSERVER_SESSION_TIMEOUT_MS, ZooKeeperSettings.DEFAULT_CONNECTION_TIMEOUT_MS,
            ZooKeeperPrincipal.OPERATOR).newClient();
        curator.start();
        try
        {
            if (!curator.blockUntilConnected(30, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("harness could not connect to ZooKeeper at " + zkConnect() + "\n" +
                    zooKeeper().logTail(40));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
        watcher = new ConfigWatcher(curator, paths, config -> { });
        watcher.start();
    }

    private static RuntimeException addTo(final RuntimeException failure, final RuntimeException ex)
    {
        if (null == failure)
        {
            return ex;
        }
        failure.addSuppressed(ex);
        return failure;
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    /**
     * What cluster to start. Every setting has a default; {@link #start()} does the work.
     */
    public static final class Builder
    {
        private int nodeCount = 3;
        private int masterCount = 2;
        private int replicationFactor = -1;
        /**
         * Longer than a node's 600 ms default: a two-core machine starting half a dozen JVMs stalls processes for
         * longer than that, and a test checks what happens in a failure, not how fast (scripts/measure-failover.sh).
         */
        private int sessionTimeoutMs = 1_500;
        private int tickMs = 100;
        private String name;
        private String clusterName = "test";
        private Path baseDir = Path.of("target", "cluster-tests");
        private Duration startTimeout = Duration.ofSeconds(60);
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final List<String> nodeArgs = new ArrayList<>();
        private final List<String> masterArgs = new ArrayList<>();
        private final Map<String, Consumer<Path>> nodeDataSeeders = new LinkedHashMap<>();
        private final Map<String, String> nodeSystemProperties = new LinkedHashMap<>();
        private NodeNetwork nodeNetwork = NodeNetwork.LOOPBACK;
        private int zooKeeperServers = 1;
        private int zooKeeperSyncLimit = 5;
        private ZooKeeperNetwork zooKeeperNetwork = ZooKeeperNetwork.LOOPBACK;
        private final List<String> nodesOnOneFollower = new ArrayList<>();

        private Builder()
        {
        }

        /**
         * @param count nodes n1..nN; 0 for ZooKeeper and masters only (start() then waits for no configuration).
         * @return this.
         */
        public Builder nodes(final int count)
        {
            if (count < 0)
            {
                throw new IllegalArgumentException("node count must be >= 0, was " + count);
            }
            this.nodeCount = count;
            return this;
        }

        /**
         * @param count masters m1..mN, at least 1.
         * @return this.
         */
        public Builder masters(final int count)
        {
            if (count < 1)
            {
                throw new IllegalArgumentException("a cluster needs at least one master, was " + count);
            }
            this.masterCount = count;
            return this;
        }

        /**
         * @param replicationFactor chain length the masters build at bootstrap; default the number of nodes.
         * @return this.
         */
        public Builder replicationFactor(final int replicationFactor)
        {
            if (replicationFactor < 1)
            {
                throw new IllegalArgumentException("replication factor must be >= 1, was " + replicationFactor);
            }
            this.replicationFactor = replicationFactor;
            return this;
        }

        /**
         * @param sessionTimeoutMs ZooKeeper session of masters and nodes; at least two ZooKeeper ticks (default 1,500).
         * @return this.
         */
        public Builder sessionTimeoutMs(final int sessionTimeoutMs)
        {
            this.sessionTimeoutMs = sessionTimeoutMs;
            return this;
        }

        /**
         * @param tickMs the ZooKeeper server's tick (default 100 ms, so sessions down to 200 ms are allowed).
         * @return this.
         */
        public Builder tickMs(final int tickMs)
        {
            this.tickMs = tickMs;
            return this;
        }

        /**
         * @param name directory under target/cluster-tests; default: the calling test class and method.
         * @return this.
         */
        public Builder name(final String name)
        {
            this.name = name;
            return this;
        }

        public Builder clusterName(final String clusterName)
        {
            new ClusterPaths(clusterName);
            this.clusterName = clusterName;
            return this;
        }

        public Builder baseDir(final Path baseDir)
        {
            this.baseDir = baseDir;
            return this;
        }

        /** @return this, with {@code --max-entries} passed to every node (replacing an earlier value). */
        public Builder maxEntries(final long maxEntries)
        {
            return nodeOption("--max-entries", Long.toString(maxEntries));
        }

        /** @return this, with {@code --max-data-bytes} passed to every node (replacing an earlier value). */
        public Builder maxDataBytes(final long maxDataBytes)
        {
            return nodeOption("--max-data-bytes", Long.toString(maxDataBytes));
        }

        /** @return this, with {@code --max-key-bytes} passed to every node (replacing an earlier value). */
        public Builder maxKeyBytes(final int maxKeyBytes)
        {
            return nodeOption("--max-key-bytes", Integer.toString(maxKeyBytes));
        }

        /** @return this, with {@code --max-value-bytes} passed to every node (replacing an earlier value). */
        public Builder maxValueBytes(final int maxValueBytes)
        {
            return nodeOption("--max-value-bytes", Integer.toString(maxValueBytes));
        }

        /**
         * @param nodeId a node, e.g. "n1".
         * @param seeder fills the node's (empty) data directory before the node starts, e.g. from a backup.
         * @return this.
         */
        public Builder seedNodeData(final String nodeId, final Consumer<Path> seeder)
        {
            nodeDataSeeders.put(nodeId, seeder);
            return this;
        }

        private Builder nodeOption(final String name, final String value)
        {
            final int at = nodeArgs.indexOf(name);
            if (at >= 0)
            {
                nodeArgs.set(at + 1, value);
                return this;
            }
            return nodeArgs(name, value);
        }

        /**
         * Every node and master serves its metrics and health endpoint on a free port of 127.0.0.1; the port is on
         * its ready line ({@link LocalCluster#metricsEndpointOf}) and, for a node, in its registration.
         *
         * @return this.
         */
        public Builder metrics()
        {
            final List<String> args = List.of("--metrics-port", "0", "--metrics-host", "127.0.0.1");
            nodeArgs.addAll(args);
            masterArgs.addAll(args);
            return this;
        }

        /**
         * @param args more arguments for every node's main, after the ones the harness passes.
         * @return this.
         */
        public Builder nodeArgs(final String... args)
        {
            Collections.addAll(nodeArgs, args);
            return this;
        }

        /**
         * @param args more arguments for every master's main, e.g. "--no-heal".
         * @return this.
         */
        public Builder masterArgs(final String... args)
        {
            Collections.addAll(masterArgs, args);
            return this;
        }

        /**
         * @param key   a system property for the nodes only, e.g. Aeron's debug loss generator settings.
         * @param value its value.
         * @return this.
         */
        public Builder nodeSystemProperty(final String key, final String value)
        {
            nodeSystemProperties.put(key, value);
            return this;
        }

        /**
         * Runs a real ZooKeeper ensemble of that many servers, each its own process ({@link EnsembleServerMain}), instead
         * of one standalone server. Every process connects to all of them, except nodes given to
         * {@link #nodeOnOneFollower(String)}.
         *
         * @param servers 1 (standalone, the default) or an odd number, at least 3.
         * @return this.
         */
        public Builder zooKeeperServers(final int servers)
        {
            if (servers != 1 && (servers < 3 || servers % 2 == 0))
            {
                throw new IllegalArgumentException("a ZooKeeper ensemble has 1 or an odd number >= 3 of servers, was " +
                    servers);
            }
            this.zooKeeperServers = servers;
            return this;
        }

        /**
         * @param ticks the ensemble's syncLimit: how many ticks a follower may go without hearing from the leader (and
         *              the leader from it) before it leaves the ensemble and drops its clients; default 5.
         * @return this.
         */
        public Builder zooKeeperSyncLimit(final int ticks)
        {
            this.zooKeeperSyncLimit = ticks;
            return this;
        }

        /**
         * @param network where the ensemble's servers run; default {@link ZooKeeperNetwork#LOOPBACK}.
         * @return this.
         */
        public Builder zooKeeperNetwork(final ZooKeeperNetwork network)
        {
            this.zooKeeperNetwork = java.util.Objects.requireNonNull(network, "network");
            return this;
        }

        /**
         * In ensemble mode: the node connects to one server only, a follower when the node starts
         * ({@link LocalCluster#zooKeeperServerOf(String)} says which), so a test can cut the two off from the leader
         * together. The masters and the other nodes then connect to the other servers only.
         *
         * @param nodeId e.g. "n3".
         * @return this.
         */
        public Builder nodeOnOneFollower(final String nodeId)
        {
            nodesOnOneFollower.add(nodeId);
            return this;
        }

        /**
         * @param network where the nodes run and how they reach ZooKeeper; default {@link NodeNetwork#LOOPBACK}.
         * @return this.
         */
        public Builder nodeNetwork(final NodeNetwork network)
        {
            this.nodeNetwork = java.util.Objects.requireNonNull(network, "network");
            return this;
        }

        /**
         * @param arg a JVM option for every process, after those of scripts/jvm.options, e.g. "-Xmx256m".
         * @return this.
         */
        public Builder jvmArg(final String arg)
        {
            jvmArgs.add(arg);
            return this;
        }

        /**
         * @param key   a system property for every process, e.g. "chainkv.idle.strategy".
         * @param value its value.
         * @return this.
         */
        public Builder systemProperty(final String key, final String value)
        {
            systemProperties.put(key, value);
            return this;
        }

        /**
         * @param timeout how long start() waits for each ready line and for the first configuration; default 60 s.
         * @return this.
         */
        public Builder startTimeout(final Duration timeout)
        {
            this.startTimeout = timeout;
            return this;
        }

        /**
         * Starts ZooKeeper, then the masters and nodes together, and waits until each is ready and (with at least
         * replication-factor nodes) the masters have written epoch 1.
         *
         * @return the running cluster; close it.
         * @throws IllegalStateException if a process exits or is not ready in time; the message holds the end of
         *                               its log, and everything started is cleaned up.
         */
        public LocalCluster start()
        {
            final int rf = replicationFactor > 0 ? replicationFactor : Math.max(1, nodeCount);
            if (sessionTimeoutMs < 2 * tickMs)
            {
                throw new IllegalArgumentException("session timeout " + sessionTimeoutMs + " ms is below two ticks (" +
                    2 * tickMs + " ms): ZooKeeper would silently raise it");
            }
            final String clusterDirName = uniqueName(null != name ? name :
                LocalChain.callerTestName(LocalCluster.class, Builder.class));
            final Path dir = baseDir.resolve(clusterDirName).toAbsolutePath();
            LocalChain.deleteRecursively(dir);
            final Path aeronParent;
            final List<int[]> zkPorts = new ArrayList<>();
            try
            {
                Files.createDirectories(dir.resolve("logs"));
                final Path shm = Path.of("/dev/shm");
                aeronParent = Files.createTempDirectory(Files.isDirectory(shm) && Files.isWritable(shm) ? shm :
                    Path.of(System.getProperty("java.io.tmpdir")), "chainkv-cluster-test-" +
                    ProcessHandle.current().pid() + "-");
                for (int i = 0; i < zooKeeperServers; i++)
                {
                    zkPorts.add(new int[]{ freeTcpPort(), freeTcpPort(), freeTcpPort() });
                }
            }
            catch (final IOException ex)
            {
                NAMES_IN_USE.remove(clusterDirName);
                throw new UncheckedIOException("cannot prepare " + dir, ex);
            }

            final Path logs = dir.resolve("logs");
            final Path data = dir.resolve("data");
            final List<ChildProcess> zooKeepers = new ArrayList<>();
            final List<String> serverConnects = new ArrayList<>();
            if (1 == zooKeeperServers)
            {
                final int zkPort = zkPorts.get(0)[0];
                serverConnects.add("127.0.0.1:" + zkPort);
                // Loopback unless nodes live in network namespaces and reach the server on the host's bridge address.
                final String bindHost = "127.0.0.1".equals(nodeNetwork.zooKeeperHost()) ? "127.0.0.1" : "0.0.0.0";
                final List<String> zkCommand = command(aeronParent, ZOOKEEPER_MAIN, List.of(
                    "--port", Integer.toString(zkPort), "--data-dir", data.resolve("zookeeper").toString(),
                    "--tick-ms", Integer.toString(tickMs), "--host", bindHost));
                zooKeepers.add(new ChildProcess("zookeeper", StandaloneZooKeeperMain.READY_PREFIX,
                    () -> zkCommand, logs.resolve("zookeeper.log"), data.resolve("zookeeper"), null, startTimeout));
            }
            else
            {
                final List<String> servers = new ArrayList<>();
                for (int id = 1; id <= zooKeeperServers; id++)
                {
                    final int[] ports = zkPorts.get(id - 1);
                    final String host = zooKeeperNetwork.serverHost(id);
                    servers.add(id + "=" + host + ":" + ports[0] + ":" + ports[1] + ":" + ports[2]);
                    serverConnects.add(host + ":" + ports[0]);
                }
                for (int id = 1; id <= zooKeeperServers; id++)
                {
                    final List<String> args = new ArrayList<>(List.of(Integer.toString(id),
                        data.resolve("zookeeper-" + id).toString(), Integer.toString(tickMs),
                        Integer.toString(zooKeeperSyncLimit)));
                    args.addAll(servers);
                    final List<String> serverCommand = new ArrayList<>(zooKeeperNetwork.serverCommandPrefix(id));
                    serverCommand.addAll(command(aeronParent, EnsembleServerMain.class.getName(), args));
                    zooKeepers.add(new ChildProcess("zookeeper " + id, EnsembleServerMain.READY_PREFIX,
                        () -> serverCommand, logs.resolve("zookeeper-" + id + ".log"), data.resolve("zookeeper-" + id),
                        null, startTimeout));
                }
            }
            final String connect = String.join(",", serverConnects);
            final LocalCluster cluster =
                new LocalCluster(clusterDirName, dir, aeronParent, clusterName, connect, zooKeepers);
            OPEN.add(cluster);
            try
            {
                for (final ChildProcess server : zooKeepers)
                {
                    server.launch();
                }
                final Instant zkDeadline = Instant.now().plus(startTimeout);
                for (final ChildProcess server : zooKeepers)
                {
                    server.awaitReady(zkDeadline);
                }
                cluster.startObserver();
                // Nodes on one follower talk to that server only, so a test can cut it off with them from the leader;
                // every other process stays on the rest of the ensemble, so the cut reaches only those nodes.
                String othersConnect = connect;
                if (!nodesOnOneFollower.isEmpty())
                {
                    int follower = -1;
                    for (int id = zooKeeperServers; id >= 1 && follower < 0; id--)
                    {
                        follower = "follower".equals(cluster.zooKeeperMode(id)) ? id : -1;
                    }
                    if (follower < 0)
                    {
                        throw new IllegalStateException("no ZooKeeper server is a follower: " + connect);
                    }
                    final List<String> rest = new ArrayList<>(serverConnects);
                    rest.remove(follower - 1);
                    othersConnect = String.join(",", rest);
                    for (final String nodeId : nodesOnOneFollower)
                    {
                        cluster.nodeServers.put(nodeId, follower);
                        cluster.nodeOptionOverrides.computeIfAbsent(nodeId, (id) -> new ConcurrentHashMap<>())
                            .put("--zk", serverConnects.get(follower - 1));
                    }
                }

                final int connectionTimeoutMs = Math.min(ZooKeeperSettings.DEFAULT_CONNECTION_TIMEOUT_MS, sessionTimeoutMs);
                for (int i = 1; i <= masterCount; i++)
                {
                    final String id = "m" + i;
                    final List<String> masterCommand = command(aeronParent, MASTER_MAIN, List.of(
                        "--zk", othersConnect, "--cluster", clusterName, "--master-id", id,
                        "--replication-factor", Integer.toString(rf),
                        "--session-timeout-ms", Integer.toString(sessionTimeoutMs),
                        "--connection-timeout-ms", Integer.toString(connectionTimeoutMs)), masterArgs);
                    cluster.masters.put(id, new MasterProcess(id, new ChildProcess("master " + id,
                        MasterProcess.READY_PREFIX + id + " ", () -> masterCommand, logs.resolve(id + ".log"), null,
                        null, startTimeout), cluster::leaderId));
                }
                final List<Integer> ports = nodeCount > 0 ? FreePorts.udp(nodeCount) : List.of();
                for (int i = 1; i <= nodeCount; i++)
                {
                    final String nodeId = "n" + i;
                    final ChainMember member = new ChainMember(nodeId, nodeNetwork.nodeHost(nodeId) + ":" +
                        ports.get(i - 1));
                    final Path dataDir = data.resolve(member.nodeId());
                    final Path aeronDir = aeronParent.resolve(member.nodeId());
                    final Consumer<Path> seeder = nodeDataSeeders.get(member.nodeId());
                    if (null != seeder)
                    {
                        seeder.accept(dataDir);
                    }
                    final List<String> args = new ArrayList<>(List.of(
                        "--zk", 1 == zooKeeperServers ? nodeNetwork.zooKeeperHost() + ":" + zkPorts.get(0)[0] : othersConnect,
                        "--cluster", clusterName,
                        "--node-id", member.nodeId(),
                        "--endpoint", member.endpoint(), "--data-dir", dataDir.toString(),
                        "--aeron-dir", aeronDir.toString(), "--session-timeout-ms", Integer.toString(sessionTimeoutMs)));
                    args.addAll(nodeArgs);
                    final List<String> nodeCommand = new ArrayList<>(nodeNetwork.commandPrefix(nodeId));
                    nodeCommand.addAll(command(aeronParent, NODE_MAIN, args, nodeSystemProperties));
                    cluster.nodes.put(member.nodeId(), new NodeProcess(member, null, new ChildProcess(
                        "node " + member.nodeId(), NodeProcess.READY_PREFIX + member.nodeId() + " ",
                        () -> cluster.withOverrides(member.nodeId(), nodeCommand),
                        logs.resolve(member.nodeId() + ".log"), dataDir, aeronDir, startTimeout)));
                }

                // Launch all first: JVM start-up and Chronicle Map code generation overlap.
                for (final MasterProcess master : cluster.masters.values())
                {
                    master.process().launch();
                }
                for (final NodeProcess node : cluster.nodes.values())
                {
                    node.process().launch();
                }
                final Instant deadline = Instant.now().plus(startTimeout);
                for (final MasterProcess master : cluster.masters.values())
                {
                    master.process().awaitReady(deadline);
                }
                for (final NodeProcess node : cluster.nodes.values())
                {
                    node.process().awaitReady(deadline);
                }
                if (nodeCount >= rf)
                {
                    cluster.awaitEpoch(1, Duration.between(Instant.now(), deadline));
                }
            }
            catch (final RuntimeException ex)
            {
                try
                {
                    cluster.close();
                }
                catch (final RuntimeException closeFailure)
                {
                    ex.addSuppressed(closeFailure);
                }
                throw ex;
            }
            return cluster;
        }

        private List<String> command(final Path aeronParent, final String mainClass, final List<String> args)
        {
            return command(aeronParent, mainClass, args, Map.of());
        }

        private List<String> command(
            final Path aeronParent, final String mainClass, final List<String> args, final List<String> moreArgs)
        {
            final List<String> all = new ArrayList<>(args);
            all.addAll(moreArgs);
            return command(aeronParent, mainClass, all, Map.of());
        }

        private List<String> command(
            final Path aeronParent,
            final String mainClass,
            final List<String> args,
            final Map<String, String> moreProperties)
        {
            final List<String> command = new ArrayList<>();
            command.add(JvmCommand.javaExecutable());
            command.addAll(JvmCommand.childJvmOptions());
            command.addAll(jvmArgs);
            command.add("-Dchainkv.aeron.dir.parent=" + aeronParent);
            final Map<String, String> properties = new LinkedHashMap<>(systemProperties);
            properties.putAll(moreProperties);
            for (final Map.Entry<String, String> property : properties.entrySet())
            {
                command.add("-D" + property.getKey() + "=" + property.getValue());
            }
            command.add("-cp");
            command.add(JvmCommand.classpath());
            command.add(mainClass);
            command.addAll(args);
            return command;
        }

        private static int freeTcpPort() throws IOException
        {
            try (ServerSocket socket = new ServerSocket(0))
            {
                return socket.getLocalPort();
            }
        }

        private static String uniqueName(final String base)
        {
            final String clean = base.replaceAll("[^A-Za-z0-9._-]", "_");
            String candidate = clean;
            for (int i = 2; !NAMES_IN_USE.add(candidate); i++)
            {
                candidate = clean + "-" + i;
            }
            return candidate;
        }
    }
}
