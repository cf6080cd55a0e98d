package io.chainkv.master;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ConfigWatcher;
import io.chainkv.config.FatalErrors;
import io.chainkv.master.zk.ConfigStore;
import io.chainkv.master.zk.MembershipWatcher;
import io.chainkv.master.zk.RegisteredNode;
import io.chainkv.master.zk.StaleConfigException;
import io.chainkv.master.zk.VersionedConfig;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apache.zookeeper.KeeperException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One master of a cluster. All masters join a Curator {@link LeaderLatch}; only the leader acts.
 * <p>
 * The leader re-evaluates the cluster on every membership change, every config change, on gaining leadership
 * and periodically as a safety net. An evaluation reads the config and the live nodes from ZooKeeper itself
 * (not from caches), asks {@link ChainPlanner} for the next configuration, and writes it with a
 * version-conditional write fenced by the leader's latch znode. A standby that takes over so finishes whatever
 * reconfiguration its predecessor left undone, from what ZooKeeper holds; a write that loses a race is re-planned
 * from a fresh read.
 * <p>
 * Evaluations run one at a time on the master's own thread; ZooKeeper callbacks only ask for one.
 */
public final class ChainMaster implements AutoCloseable
{
    /** How often the leader re-evaluates even without an event. */
    public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(ChainMaster.class);
    private static final int MAX_CONFLICTS_PER_EVALUATION = 5;
    private static final long RETRY_DELAY_MS = 100;

    private final CuratorFramework client;
    private final ClusterPaths paths;
    private final String masterId;
    private final ChainPlanner planner;
    private final RestartGrace restartGrace;
    private final Duration resyncInterval;
    private final ConfigStore store;
    private final LeaderLatch latch;
    private final MembershipWatcher membership;
    private final ConfigWatcher configWatcher;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean evaluationPending = new AtomicBoolean();
    private final ConnectionStateListener connectionListener = this::onConnectionStateChanged;
    private volatile long lastWrittenEpoch;
    private List<String> lastNotes = List.of();
    private Set<Integer> restartGraceOver = Set.of();
    private volatile boolean closed;

    /**
     * @param client         a started Curator client; not closed by this master.
     * @param paths          the cluster's layout.
     * @param masterId       this master's id in the election, e.g. host-pid.
     * @param planner        the reconfiguration policy.
     * @param resyncInterval how often the leader re-evaluates without an event.
     */
    public ChainMaster(
        final CuratorFramework client,
        final ClusterPaths paths,
        final String masterId,
        final ChainPlanner planner,
        final Duration resyncInterval)
    {
        this.client = client;
        this.paths = paths;
        this.masterId = masterId;
        this.planner = planner;
        this.restartGrace = new RestartGrace(planner.restartGraceMs());
        this.resyncInterval = resyncInterval;
        this.store = new ConfigStore(client, paths);
        this.latch = new LeaderLatch(client, paths.leaderLatchPath(), masterId, LeaderLatch.CloseMode.NOTIFY_LEADER);
        this.membership = new MembershipWatcher(client, paths, this::onMembership);
        this.configWatcher = new ConfigWatcher(client, paths, this::onConfig);
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "chainkv-master-" + masterId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param client   a started Curator client; not closed by this master.
     * @param paths    the cluster's layout.
     * @param masterId this master's id in the election.
     * @param planner  the reconfiguration policy.
     */
    public ChainMaster(
        final CuratorFramework client, final ClusterPaths paths, final String masterId, final ChainPlanner planner)
    {
        this(client, paths, masterId, planner, DEFAULT_RESYNC_INTERVAL);
    }

    /**
     * Starts watching and joins the election.
     *
     * @throws Exception if the latch cannot start.
     */
    public void start() throws Exception
    {
        latch.addListener(new LeaderLatchListener()
        {
            public void isLeader()
            {
                LOG.info("master {} gained leadership of cluster {}", masterId, paths.cluster());
                requestEvaluation();
            }

            public void notLeader()
            {
                LOG.info("master {} lost leadership of cluster {}", masterId, paths.cluster());
            }
        });
        client.getConnectionStateListenable().addListener(connectionListener);
        membership.start();
        configWatcher.start();
        latch.start();
        final long resyncMs = resyncInterval.toMillis();
        executor.scheduleWithFixedDelay(this::requestEvaluation, resyncMs, resyncMs, TimeUnit.MILLISECONDS);
    }

    public String masterId()
    {
        return masterId;
    }

    /**
     * @return true while this master holds the latch (as far as it knows; writes are fenced regardless).
     */
    public boolean isLeader()
    {
        return latch.hasLeadership();
    }

    /**
     * @param timeout how long to wait.
     * @return true if this master is the leader within the timeout.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean awaitLeadership(final Duration timeout) throws InterruptedException
    {
        return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * @return the epoch of the last configuration this master wrote, 0 if none.
     */
    public long lastWrittenEpoch()
    {
        return lastWrittenEpoch;
    }

    /**
     * @return live nodes as this master's watcher last saw them.
     */
    public Map<String, RegisteredNode> liveNodes()
    {
        return membership.liveNodes();
    }

    /**
     * Leaves the election (a standby takes over) and stops watching.
     */
    public void close()
    {
        closed = true;
        client.getConnectionStateListenable().removeListener(connectionListener);
        executor.shutdownNow();
        try
        {
            latch.close();
        }
        catch (final Exception ex)
        {
            LOG.warn("master {}: closing the leader latch: {}", masterId, ex.toString());
        }
        configWatcher.close();
        membership.close();
        try
        {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void onMembership(final Map<String, RegisteredNode> liveNodes)
    {
        LOG.info("master {}: live nodes {}", masterId, liveNodes.values());
        requestEvaluation();
    }

    private void onConfig(final ClusterConfig config)
    {
        requestEvaluation();
    }

    private void onConnectionStateChanged(final CuratorFramework ignored, final ConnectionState state)
    {
        if (state == ConnectionState.RECONNECTED)
        {
            requestEvaluation();
        }
    }

    private void requestEvaluation()
    {
        // Coalesces bursts of events into one evaluation; a request arriving during one schedules the next.
        if (!closed && evaluationPending.compareAndSet(false, true))
        {
            try
            {
                executor.execute(this::evaluate);
            }
            catch (final java.util.concurrent.RejectedExecutionException ex)
            {
                evaluationPending.set(false);
            }
        }
    }

    private void evaluate()
    {
        evaluationPending.set(false);
        if (closed || !latch.hasLeadership())
        {
            return;
        }
        try
        {
            for (int attempt = 1; attempt <= MAX_CONFLICTS_PER_EVALUATION; attempt++)
            {
                try
                {
                    evaluateOnce();
                    return;
                }
                catch (final StaleConfigException ex)
                {
                    LOG.info("master {}: {}; re-reading (attempt {})", masterId, ex.getMessage(), attempt);
                    if (closed || !latch.hasLeadership())
                    {
                        return;
                    }
                }
            }
            retryLater("config kept changing under this master");
        }
        catch (final Exception ex)
        {
            retryLater(ex.toString());
        }
        catch (final Error error)
        {
            // The executor would keep it in a Future no one reads, and this master would go on leading without
            // evaluating: the process's uncaught exception handler decides (MasterMain's halts, FatalErrors).
            FatalErrors.escalate(error);
        }
    }

    private void evaluateOnce() throws Exception
    {
        if (null != MasterFaultHooks.FAULT_DIR &&
            Files.deleteIfExists(Path.of(MasterFaultHooks.FAULT_DIR, masterId + MasterFaultHooks.EVALUATION_ERROR_SUFFIX)))
        {
            throw new InternalError("test hook " + MasterFaultHooks.FAULT_DIR_PROP + ": evaluation thread killed");
        }
        final VersionedConfig current = store.read();
        final Map<String, RegisteredNode> live = MembershipWatcher.readLiveNodes(client, paths);
        final Plan plan = planner.plan(paths.cluster(), null == current ? null : current.config(), live.values(),
            readRemovals(client, paths), restartGraceOver);
        // Timed here, not in the planner, which stays a function of what ZooKeeper holds; the safety-net evaluation
        // every resync interval acts on a grace that ran out.
        restartGraceOver = restartGrace.update(plan.awaitingRestart(), System.nanoTime());
        if (!plan.notes().equals(lastNotes))
        {
            // Logged when they change, not on every evaluation, so an unavailable chain is one line, not a stream.
            for (final String note : plan.notes())
            {
                LOG.info("master {}: {}", masterId, note);
            }
            lastNotes = plan.notes();
        }
        if (!plan.changes())
        {
            return;
        }
        final String fence = latch.getOurPath();
        if (null == fence || !latch.hasLeadership())
        {
            return;
        }
        final VersionedConfig written = null == current ?
            store.create(plan.next(), fence) : store.update(current, plan.next(), fence);
        lastWrittenEpoch = written.config().epoch();
        LOG.info("master {} wrote config epoch {}: {}", masterId, written.config().epoch(), written.config());
    }

    /**
     * Reads the operators' removal requests (see {@link ClusterPaths#removalsPath()}).
     *
     * @param client a started Curator client.
     * @param paths  the cluster's layout.
     * @return node id to what was asked; a request that does not say "remove" drains.
     * @throws Exception on a ZooKeeper error.
     */
    public static Map<String, ChainPlanner.Removal> readRemovals(final CuratorFramework client, final ClusterPaths paths)
        throws Exception
    {
        final List<String> children;
        try
        {
            children = client.getChildren().forPath(paths.removalsPath());
        }
        catch (final KeeperException.NoNodeException ex)
        {
            return Map.of();
        }
        final Map<String, ChainPlanner.Removal> removals = new TreeMap<>();
        for (final String nodeId : children)
        {
            try
            {
                final byte[] data = client.getData().forPath(paths.removalPath(nodeId));
                final boolean remove = null != data && "remove".equals(new String(data, StandardCharsets.UTF_8).strip());
                removals.put(nodeId, remove ? ChainPlanner.Removal.REMOVE : ChainPlanner.Removal.DRAIN);
            }
            catch (final KeeperException.NoNodeException ex)
            {
                // Withdrawn meanwhile.
            }
        }
        return removals;
    }

    private void retryLater(final String reason)
    {
        if (closed)
        {
            return;
        }
        LOG.warn("master {}: evaluation failed ({}); retrying in {} ms", masterId, reason, RETRY_DELAY_MS);
        try
        {
            executor.schedule(this::requestEvaluation, RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.RejectedExecutionException ignore)
        {
            // Closing.
        }
    }
}
