package io.chainkv.node.membership;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterConfigCodec;
import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ConfigWatcher;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeRegistration;
import io.chainkv.cluster.NodeState;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.node.FaultHooks;
import org.agrona.CloseHelper;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A node's membership in a ZooKeeper-managed cluster: its registration (an ephemeral znode that is the master's
 * failure detector), the configuration it serves, and the {@link SessionLease} that lets it answer.
 * <p>
 * <b>Incarnations.</b> Each registration is one incarnation of the node: a random 64-bit id drawn when the process
 * registers, and drawn again whenever it has to register on a new session (its session expired). The master records
 * the incarnation with every place it gives the node, and a configuration whose place for this node id names another
 * incarnation is not this node's: it does not act as that member (delivers nothing, renews no lease) and waits for the
 * master, which sees the new incarnation, to take the old one out. So a restarted process, or one that lost its
 * session, never takes its old place back: it lost its Sent list, or may have missed a reconfiguration. It becomes a
 * spare and rejoins at the tail by a state transfer (docs/design.md, "Node registrations").
 * <p>
 * <b>The lease.</b> A lease keeper thread, every third of the lease, sends a {@code sync} and then reads the
 * configuration and its own registration on the same connection. The sync makes the answer evidence the ZooKeeper
 * leader ordered: it is answered only after the leader processed it, and only after the server applied everything the
 * leader committed before it, a close of this session included (which would have closed the connection). The read of
 * the registration shows it is still this session's and this incarnation's. The configuration is handed to the data
 * path first; then {@link LeaseRenewal} renews the lease from the instant the sync was sent, if the contact is on the
 * incarnation's session and chained to the previous one. Curator's SUSPENDED or LOST revokes it at once. A plain read,
 * which a follower cut off from the leader keeps answering for a while, proves nothing and renews nothing.
 * <p>
 * <b>Node ids.</b> A node whose id is registered by another session waits while that may be its own previous run
 * (killed before its session expired); if the registration outlives its session timeout, a live process holds the
 * id and {@link #start} fails with {@link NodeIdTakenException}, having written nothing ({@link NodeIdClaim}).
 * <p>
 * The registration says what the node does: JOINING while it is not a member (a spare, or the chain's joiner),
 * SERVING while it is. A joiner that has caught up with the tail publishes the epoch in which it did
 * ({@link NodeInfo#caughtUpEpoch()}), which is the master's cue to make it the tail; a member publishes a handoff it
 * proved and its own need for a new transfer ({@link MembershipReport}).
 */
public final class ZooKeeperMembership implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperMembership.class);
    private static final long CONNECT_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(15);
    private static final long CLAIM_RETRY_MS = 50;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CuratorFramework curator;
    private final ACLProvider acls;
    private final ClusterPaths paths;
    private final int chainId;
    private final String nodeId;
    private final NodeInfo self;
    private final int sessionTimeoutMs;
    private final SessionLease lease;
    private final LeaseRenewal renewal;
    private final Predicate<ChainConfig> configSink;
    private final MembershipReport report;
    private final StalledAgentCheck stalledAgent;
    private final Thread leaseKeeper;
    private final ConfigWatcher watcher;
    private volatile boolean running = true;
    private volatile boolean foreignPlace;
    private volatile long stalledUntilNs = System.nanoTime();
    private volatile ConnectionState connectionState = ConnectionState.CONNECTED;
    private long incarnation;
    private long previousIncarnation = ChainMember.NO_INCARNATION;
    private NodeRegistration registration;
    private NodeIdClaim claim;
    private long registeredSession = LeaseRenewal.NO_SESSION;
    private long latestEpoch;
    private long deliveredEpoch;
    private boolean deliveredMember;

    private ZooKeeperMembership(
        final CuratorFramework curator,
        final ACLProvider acls,
        final ClusterPaths paths,
        final int chainId,
        final NodeInfo self,
        final int sessionTimeoutMs,
        final SessionLease lease,
        final Predicate<ChainConfig> configSink,
        final MembershipReport report,
        final DutyCycleHeartbeat heartbeat)
    {
        this.report = report;
        this.stalledAgent = null == heartbeat ? null : new StalledAgentCheck(heartbeat, lease.durationNs());
        this.curator = curator;
        this.acls = acls;
        this.paths = paths;
        this.chainId = chainId;
        this.nodeId = self.nodeId();
        this.self = self;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.lease = lease;
        this.renewal = new LeaseRenewal(lease);
        this.configSink = configSink;
        this.incarnation = newIncarnation();
        this.watcher = new ConfigWatcher(curator, paths, this::onConfig);
        this.leaseKeeper = new Thread(this::keepLease, "chainkv-lease-" + nodeId);
        this.leaseKeeper.setDaemon(true);
    }

    /**
     * @param settings how the node reaches ZooKeeper.
     * @return a lease of half the session timeout: ZooKeeper cannot expire the session sooner than a session timeout
     * after the start of the previous contact the leader ordered, a sixth of it after the lease ends, which absorbs
     * clock-rate differences and scheduling (docs/design.md, "Leases: the timing argument").
     */
    public static SessionLease leaseFor(final ZooKeeperSettings settings)
    {
        return SessionLease.of(TimeUnit.MILLISECONDS.toNanos(settings.sessionTimeoutMs()) / 2);
    }

    /**
     * Connects, claims the node id (registers as a new incarnation) and starts watching.
     *
     * @param settings    how to reach ZooKeeper.
     * @param clusterName the cluster to join.
     * @param chainId     the chain this node serves.
     * @param self        this node's first registration: id, endpoint, JOINING (or BACKUP for a backup taker) and
     *                    the committed seq its store holds; the incarnation and session timeout are filled in here.
     * @param lease       the lease to keep, from {@link #leaseFor(ZooKeeperSettings)}.
     * @param configSink  takes each configuration of the chain; returns false if it could not take it now.
     * @param report      what the data path reports for the registration, polled: a joiner's caught-up epoch, a
     *                    proven handoff, a member's need for a new transfer, and a store too small for the chain's
     *                    data (the registration then says DRAINING, so the master gives the joiner place to another
     *                    spare).
     * @param heartbeat   the replication agent's heartbeat: while it stands still the node gives up its place
     *                    ({@link StalledAgentCheck}); null watches none (tests of the membership alone).
     * @return the running membership.
     * @throws NodeIdTakenException  if another live process holds the node id.
     * @throws IllegalStateException if ZooKeeper cannot be reached or grants a shorter session than asked for.
     */
    public static ZooKeeperMembership start(
        final ZooKeeperSettings settings,
        final String clusterName,
        final int chainId,
        final NodeInfo self,
        final SessionLease lease,
        final Predicate<ChainConfig> configSink,
        final MembershipReport report,
        final DutyCycleHeartbeat heartbeat)
    {
        final String nodeId = self.nodeId();
        final CuratorFramework curator = settings.newClient();
        ZooKeeperMembership membership = null;
        try
        {
            curator.start();
            if (!curator.blockUntilConnected((int)CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException("cannot reach ZooKeeper at " + settings.connectString() + " within " +
                    CONNECT_TIMEOUT_MS + " ms; check --zk and that the ensemble is up");
            }
            final int granted = curator.getZookeeperClient().getZooKeeper().getSessionTimeout();
            if (granted < settings.sessionTimeoutMs())
            {
                throw new IllegalStateException("ZooKeeper granted a session of " + granted + " ms, less than the " +
                    settings.sessionTimeoutMs() + " ms asked for; start the node with --session-timeout-ms " + granted);
            }
            if (granted > settings.sessionTimeoutMs())
            {
                LOG.warn("node={} ZooKeeper raised the session timeout from {} ms to {} ms (its minSessionTimeout); " +
                    "failures will be detected that much later", nodeId, settings.sessionTimeoutMs(), granted);
            }

            membership = new ZooKeeperMembership(
                curator, settings.acls(), new ClusterPaths(clusterName), chainId, self, granted, lease, configSink, report, heartbeat);
            final ZooKeeperMembership started = membership;
            curator.getConnectionStateListenable().addListener((client, state) -> started.connectionChanged(state));
            membership.begin();
            return membership;
        }
        catch (final Exception ex)
        {
            CloseHelper.quietClose(membership);
            CloseHelper.quietClose(curator);
            if (ex instanceof RuntimeException)
            {
                throw (RuntimeException)ex;
            }
            throw new IllegalStateException("cannot join cluster " + clusterName + " in ZooKeeper: " + ex.getMessage(), ex);
        }
    }

    private static long newIncarnation()
    {
        long incarnation;
        do
        {
            incarnation = RANDOM.nextLong();
        }
        while (ChainMember.NO_INCARNATION == incarnation);
        return incarnation;
    }

    private void connectionChanged(final ConnectionState state)
    {
        connectionState = state;
        if (ConnectionState.SUSPENDED == state || ConnectionState.LOST == state)
        {
            renewal.revoke();
            LOG.warn("node={} ZooKeeper connection {}: lease revoked, the node answers nothing until it confirms its " +
                "session again", nodeId, state);
            if (ConnectionState.LOST == state)
            {
                sessionLost();
            }
        }
        else
        {
            LOG.info("node={} ZooKeeper connection {}", nodeId, state);
        }
    }

    /**
     * The session of the current incarnation is gone (or is about to be: Curator reports LOST once it gives it up). From
     * now on a place naming that incarnation is not this node's; it registers anew on the next session.
     */
    private synchronized void sessionLost()
    {
        if (LeaseRenewal.NO_SESSION == registeredSession)
        {
            return;
        }
        final long old = endIncarnation();
        LOG.warn("node={} lost the ZooKeeper session of incarnation {}: it is incarnation {} from now on, and does not " +
            "act in any place the configuration gives the old one", nodeId, Long.toHexString(old),
            Long.toHexString(incarnation));
    }

    /**
     * From now on a place naming the current incarnation is not this node's; the next registration is a new one.
     *
     * @return the incarnation that ended.
     */
    private synchronized long endIncarnation()
    {
        final long old = incarnation;
        previousIncarnation = old;
        incarnation = newIncarnation();
        registeredSession = LeaseRenewal.NO_SESSION;
        registration = null;
        claim = null;
        return old;
    }

    private void begin() throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
        String lastHolder = null;
        while (true)
        {
            final NodeIdClaim.Outcome outcome;
            try
            {
                outcome = claimOnCurrentSession();
            }
            catch (final KeeperException.ConnectionLossException | KeeperException.SessionExpiredException ex)
            {
                // A connection lost for a moment (a loaded machine, a ZooKeeper restart) does not fail the start.
                if (System.nanoTime() > deadlineNs)
                {
                    throw ex;
                }
                curator.blockUntilConnected((int)CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                continue;
            }
            if (NodeIdClaim.Outcome.REGISTERED == outcome)
            {
                break;
            }
            if (NodeIdClaim.Outcome.TAKEN == outcome)
            {
                throw new NodeIdTakenException(claim.takenMessage());
            }
            if (!claim.holder().equals(lastHolder))
            {
                lastHolder = claim.holder();
                LOG.warn("node={} the id is still registered by {}; waiting for that registration to go (a previous run " +
                    "of this node killed before its session expired goes within that session timeout)", nodeId, lastHolder);
            }
            Thread.sleep(CLAIM_RETRY_MS);
        }
        watcher.start();
        leaseKeeper.start();
    }

    /**
     * One attempt to register the current incarnation on the client's current session.
     */
    private synchronized NodeIdClaim.Outcome claimOnCurrentSession() throws Exception
    {
        final long session = curator.getZookeeperClient().getZooKeeper().getSessionId();
        if (null == claim || (registration.isRegistered() && registration.sessionId() != session))
        {
            if (null != registration && registration.isRegistered())
            {
                // Registered on a session that has since ended: that incarnation is over.
                previousIncarnation = incarnation;
                incarnation = newIncarnation();
            }
            // A registration after a lost session says which incarnation this same process was: if the master finds
            // every member of the chain gone, it may re-form the chain from such processes (they kept their state).
            registration = new NodeRegistration(curator, paths, self.withIncarnation(incarnation)
                .withSessionTimeoutMs(sessionTimeoutMs).withResumes(previousIncarnation), acls);
            claim = new NodeIdClaim(registration, sessionTimeoutMs);
        }
        final NodeIdClaim.Outcome outcome = claim.attempt(System.nanoTime());
        if (NodeIdClaim.Outcome.REGISTERED == outcome && registeredSession != registration.sessionId())
        {
            registeredSession = registration.sessionId();
            renewal.bind(registeredSession);
            LOG.info("node={} registered as incarnation {} on session 0x{}", nodeId, Long.toHexString(incarnation),
                Long.toHexString(registeredSession));
        }
        return outcome;
    }

    private void onConfig(final ClusterConfig clusterConfig)
    {
        holdWhileStalled();
        deliver(clusterConfig.chain(chainId));
    }

    /**
     * @return true when the data path has been handed this configuration or a newer one, or has nothing to be handed:
     * the configuration gives this node's id to another incarnation.
     */
    private synchronized boolean deliver(final ChainConfig chain)
    {
        if (null == chain)
        {
            return true;
        }
        if (chain.epoch() >= latestEpoch)
        {
            latestEpoch = chain.epoch();
            final ChainMember place = chain.placeOf(nodeId);
            final boolean foreign = null != place && !place.heldBy(incarnation);
            if (foreign != foreignPlace)
            {
                if (foreign)
                {
                    LOG.warn("node={} epoch {} gives this id's place to incarnation {}, not to this one ({}): it does not " +
                        "act as that member and waits for the master to take it out; it then joins as a spare", nodeId,
                        chain.epoch(), Long.toHexString(place.incarnation()), Long.toHexString(incarnation));
                }
                else
                {
                    LOG.info("node={} epoch {} no longer gives this id's place to another incarnation", nodeId,
                        chain.epoch());
                }
                foreignPlace = foreign;
            }
        }
        if (foreignPlace || chain.epoch() <= deliveredEpoch)
        {
            return true;
        }
        if (configSink.test(chain))
        {
            deliveredEpoch = chain.epoch();
            deliveredMember = chain.indexOf(nodeId) >= 0;
            return true;
        }
        return false;
    }

    /**
     * Brings the registration in line with what the node does.
     */
    private synchronized void publishProgress()
    {
        if (null == registration || !registration.isRegistered() || foreignPlace)
        {
            return;
        }
        try
        {
            final NodeInfo info = registration.info();
            final NodeState state = deliveredMember ? NodeState.SERVING :
                report.cannotHoldChainData() ? NodeState.DRAINING : NodeState.JOINING;
            NodeInfo updated = info;
            if (info.state() != state && info.state() != NodeState.DRAINING && info.state() != NodeState.BACKUP)
            {
                updated = updated.withState(state);
            }
            updated = updated
                .withCaughtUpEpoch(deliveredMember ? 0 : report.caughtUpEpoch())
                .withHandoffEpoch(deliveredMember ? report.handoffEpoch() : 0)
                .withNeedsTransferEpoch(deliveredMember ? report.needsTransferEpoch() : 0)
                .withAdoptedEpoch(report.adoptedEpoch());
            if (!updated.equals(info))
            {
                registration.publish(updated);
            }
        }
        catch (final Exception ex)
        {
            LOG.debug("node={} cannot update its registration yet: {}", nodeId, ex.toString());
        }
    }

    /**
     * What one probe read, behind a sync, on one session.
     */
    private record Probe(ChainConfig chain, boolean ownRegistration)
    {
    }

    /**
     * Sends a sync, then reads the configuration and this node's registration, on one connection: the reads are
     * answered after the sync, so they show at least what the leader had ordered when it processed the sync.
     */
    private Probe probe(final ZooKeeper zooKeeper, final long session, final long incarnationNow) throws Exception
    {
        final CompletableFuture<Integer> synced = new CompletableFuture<>();
        zooKeeper.sync(paths.configPath(), (rc, path, ctx) -> synced.complete(rc), null);
        ChainConfig chain = null;
        try
        {
            final byte[] data = zooKeeper.getData(paths.configPath(), false, null);
            chain = null == data ? null : ClusterConfigCodec.decode(data).chain(chainId);
        }
        catch (final KeeperException.NoNodeException ex)
        {
            // No configuration yet.
        }
        boolean own;
        try
        {
            final Stat stat = new Stat();
            final byte[] data = zooKeeper.getData(paths.nodePath(nodeId), false, stat);
            own = stat.getEphemeralOwner() == session && NodeInfo.decode(nodeId, data).incarnation() == incarnationNow;
        }
        catch (final KeeperException.NoNodeException ex)
        {
            own = false;
        }
        final int rc = synced.get(sessionTimeoutMs, TimeUnit.MILLISECONDS);
        if (KeeperException.Code.OK.intValue() != rc)
        {
            throw KeeperException.create(KeeperException.Code.get(rc), paths.configPath());
        }
        return new Probe(chain, own);
    }

    private void keepLease()
    {
        final long intervalMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(lease.durationNs()) / 3);
        while (running)
        {
            final long contactStartNs = System.nanoTime();
            try
            {
                final ZooKeeper zooKeeper = curator.getZookeeperClient().getZooKeeper();
                final long session = zooKeeper.getSessionId();
                if (null != stalledAgent && stalledAgent.isStalled(contactStartNs))
                {
                    giveUpPlace(zooKeeper, stalledAgent.silentMs(contactStartNs));
                }
                else if (session != registeredSession() && !registerAgain())
                {
                    renewal.broken();
                }
                else
                {
                    final long incarnationNow = incarnation();
                    final Probe probe = probe(zooKeeper, session, incarnationNow);
                    if (!probe.ownRegistration())
                    {
                        // The registration is not this session's and incarnation's any more (the session ended, or the
                        // znode was deleted): whatever comes next is another incarnation.
                        renewal.broken();
                        sessionLost();
                    }
                    else if (deliver(probe.chain()) && !foreignPlace)
                    {
                        renewal.confirmed(session, contactStartNs);
                        stallIfAsked();
                    }
                    else
                    {
                        renewal.broken();
                    }
                    publishProgress();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final Exception ex)
            {
                // No contact, no renewal: the lease runs out by itself.
                renewal.broken();
                LOG.debug("node={} lease probe failed: {}", nodeId, ex.toString());
            }

            try
            {
                Thread.sleep(intervalMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The replication agent has stopped (a dead or stuck thread): the node cannot serve, and must not hold a place the
     * master would otherwise leave it in for as long as other threads keep its session alive (docs/failures.md, "The
     * replication thread dies or is stuck"). It stops renewing its lease, ends its lease now (the data path checks it on
     * every request, so a thread that comes back refuses until it has a new one), and deletes its registration: the
     * master's failure detector, so the master splices it out as if its session had ended. Giving up the registration
     * rather than closing the session keeps the connection the node needs to come back: if the agent recovers, the
     * next probe registers a new incarnation, which the master treats like a restarted process (a spare that rejoins by
     * state transfer), as after a lost session. Called every keeper period while the agent is stalled; deletes again a
     * registration whose first deletion failed (a connection lost at that moment).
     */
    private synchronized void giveUpPlace(final ZooKeeper zooKeeper, final long silentMs) throws Exception
    {
        renewal.revoke();
        if (LeaseRenewal.NO_SESSION != registeredSession)
        {
            LOG.error("node={} the replication agent has not completed a duty cycle for {} ms (its thread died or is " +
                "stuck): giving up this node's place; the lease is revoked and registration {} of incarnation {} is " +
                "deleted so the master splices the node out; it registers again as a new incarnation if the agent " +
                "recovers", nodeId, silentMs, paths.nodePath(nodeId), Long.toHexString(incarnation));
            CloseHelper.quietClose(registration);
            endIncarnation();
        }
        final String path = paths.nodePath(nodeId);
        final Stat stat = zooKeeper.exists(path, false);
        if (null != stat && stat.getEphemeralOwner() == zooKeeper.getSessionId())
        {
            // Ours, left by a deletion that failed; no registration of this session is current while stalled.
            zooKeeper.delete(path, stat.getVersion());
        }
    }

    /**
     * After a session change: registers a new incarnation on the new session, one attempt at a time.
     *
     * @return true once registered.
     */
    private boolean registerAgain() throws Exception
    {
        sessionLost();
        final NodeIdClaim.Outcome outcome = claimOnCurrentSession();
        if (NodeIdClaim.Outcome.TAKEN == outcome)
        {
            LOG.error("node={} cannot register again after losing its session: {}", nodeId, claim.takenMessage());
        }
        return NodeIdClaim.Outcome.REGISTERED == outcome;
    }

    private synchronized long registeredSession()
    {
        return registeredSession;
    }

    private synchronized long incarnation()
    {
        return incarnation;
    }

    /**
     * Test hook ({@link FaultHooks#ZOOKEEPER_STALL_DIR_PROP}): a slow link to ZooKeeper, right after a renewal.
     */
    private void stallIfAsked()
    {
        if (null == FaultHooks.ZOOKEEPER_STALL_DIR)
        {
            return;
        }
        final Path file = Path.of(FaultHooks.ZOOKEEPER_STALL_DIR, nodeId + ".stall");
        if (Files.exists(file))
        {
            try
            {
                final long stallMs = Long.parseLong(Files.readString(file).strip());
                Files.delete(file);
                stalledUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(stallMs);
                LOG.warn("node={} test hook: holding back what ZooKeeper says for {} ms", nodeId, stallMs);
            }
            catch (final IOException | NumberFormatException ex)
            {
                LOG.warn("node={} test hook: cannot read {}: {}", nodeId, file, ex.toString());
            }
            holdWhileStalled();
        }
    }

    private void holdWhileStalled()
    {
        long leftNs;
        while ((leftNs = stalledUntilNs - System.nanoTime()) > 0)
        {
            try
            {
                TimeUnit.NANOSECONDS.sleep(leftNs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * @return the last state Curator reported for the connection to ZooKeeper (CONNECTED at start).
     */
    public ConnectionState connectionState()
    {
        return connectionState;
    }

    /**
     * @return true while the configuration gives this node's id to another incarnation (this process's before a
     * restart or a session loss): the node waits to be taken out, then joins as a spare.
     */
    public boolean waitingForRemoval()
    {
        return foreignPlace;
    }

    /**
     * @return this node's current incarnation.
     */
    public long currentIncarnation()
    {
        return incarnation();
    }

    /**
     * @return the Curator client: for tests that expire the session from the client side.
     */
    CuratorFramework curator()
    {
        return curator;
    }

    public void close()
    {
        running = false;
        renewal.revoke();
        leaseKeeper.interrupt();
        synchronized (this)
        {
            CloseHelper.quietClose(registration);
        }
        CloseHelper.quietCloseAll(watcher, curator);
    }
}
