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
import io.chainkv.node.FaultHooks;
import org.agrona.CloseHelper;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A node's membership in a ZooKeeper-managed cluster: its registration (an ephemeral znode that is the
 * master's failure detector), the configuration it serves, and the {@link SessionLease} that lets it answer.
 * <p>
 * A lease keeper thread reads the configuration znode every third of the lease; each successful read first
 * hands the configuration to the data path and then renews the lease from the instant the read was sent.
 * So whenever the data path sees a valid lease it has already been given every configuration ZooKeeper held
 * at that instant: a node resumed after a long pause, whose session expired and was replaced, cannot serve
 * its old role on a fresh lease (docs/design.md, invariant 6). Curator's SUSPENDED or LOST revokes the lease at once.
 * <p>
 * A node that starts while the configuration still names it (it was restarted faster than the master
 * noticed) does not register until a configuration without it appears: it lost its Sent list and must not
 * take its old place back; it becomes a spare instead, and rejoins at the tail by a state transfer.
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

    private final CuratorFramework curator;
    private final ClusterPaths paths;
    private final int chainId;
    private final String nodeId;
    private final NodeInfo self;
    private final SessionLease lease;
    private final Predicate<ChainConfig> configSink;
    private final MembershipReport report;
    private final Thread leaseKeeper;
    private final ConfigWatcher watcher;
    private volatile boolean running = true;
    private volatile boolean waitingForRemoval;
    private volatile long stalledUntilNs = System.nanoTime();
    private volatile ConnectionState connectionState = ConnectionState.CONNECTED;
    private NodeRegistration registration;
    private long deliveredEpoch;
    private boolean deliveredMember;

    private ZooKeeperMembership(
        final CuratorFramework curator,
        final ClusterPaths paths,
        final int chainId,
        final NodeInfo self,
        final SessionLease lease,
        final Predicate<ChainConfig> configSink,
        final MembershipReport report)
    {
        this.report = report;
        this.curator = curator;
        this.paths = paths;
        this.chainId = chainId;
        this.nodeId = self.nodeId();
        this.self = self;
        this.lease = lease;
        this.configSink = configSink;
        this.watcher = new ConfigWatcher(curator, paths, this::onConfig);
        this.leaseKeeper = new Thread(this::keepLease, "chainkv-lease-" + nodeId);
        this.leaseKeeper.setDaemon(true);
    }

    /**
     * @param settings how the node reaches ZooKeeper.
     * @return a lease of half the session timeout: ZooKeeper cannot expire the session sooner than a full
     * session timeout after a contact, and the other half absorbs clock-rate differences and scheduling.
     */
    public static SessionLease leaseFor(final ZooKeeperSettings settings)
    {
        return SessionLease.of(TimeUnit.MILLISECONDS.toNanos(settings.sessionTimeoutMs()) / 2);
    }

    /**
     * Connects, registers (unless the configuration still names this node) and starts watching.
     *
     * @param settings    how to reach ZooKeeper.
     * @param clusterName the cluster to join.
     * @param chainId     the chain this node serves.
     * @param self        this node's first registration: id, endpoint, JOINING (or BACKUP for a backup taker) and
     *                    the committed seq its store holds.
     * @param lease       the lease to keep, from {@link #leaseFor(ZooKeeperSettings)}.
     * @param configSink  takes each configuration of the chain; returns false if it could not take it now.
     * @param report      what the data path reports for the registration, polled: a joiner's caught-up epoch, a
     *                    proven handoff, a member's need for a new transfer, and a store too small for the chain's
     *                    data (the registration then says DRAINING, so the master gives the joiner place to another
     *                    spare).
     * @return the running membership.
     * @throws IllegalStateException if ZooKeeper cannot be reached or grants a shorter session than asked for.
     */
    public static ZooKeeperMembership start(
        final ZooKeeperSettings settings,
        final String clusterName,
        final int chainId,
        final NodeInfo self,
        final SessionLease lease,
        final Predicate<ChainConfig> configSink,
        final MembershipReport report)
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
                curator, new ClusterPaths(clusterName), chainId, self, lease, configSink, report);
            final ZooKeeperMembership started = membership;
            curator.getConnectionStateListenable().addListener((client, state) ->
            {
                started.connectionState = state;
                membershipStateChanged(state, lease, nodeId);
            });
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

    private static void membershipStateChanged(final ConnectionState state, final SessionLease lease, final String nodeId)
    {
        if (ConnectionState.SUSPENDED == state || ConnectionState.LOST == state)
        {
            lease.revoke();
            LOG.warn("node={} ZooKeeper connection {}: lease revoked, the node answers nothing until it reconnects",
                nodeId, state);
        }
        else
        {
            LOG.info("node={} ZooKeeper connection {}", nodeId, state);
        }
    }

    private void begin() throws Exception
    {
        final ChainConfig existing = readChainConfigRetrying();
        if (null != existing && existing.indexOf(nodeId) >= 0)
        {
            waitingForRemoval = true;
            LOG.warn("node={} the configuration (epoch {}) still names this node from before its restart; it waits " +
                "for the master to remove it and then joins as a spare", nodeId, existing.epoch());
        }
        else
        {
            register();
        }
        watcher.start();
        leaseKeeper.start();
    }

    private synchronized void register()
    {
        if (null == registration && running)
        {
            registration = new NodeRegistration(curator, paths, self);
            registration.start();
            LOG.info("node={} registered at {}", nodeId, paths.nodePath(nodeId));
        }
    }

    private void onConfig(final ClusterConfig clusterConfig)
    {
        holdWhileStalled();
        deliver(clusterConfig.chain(chainId));
    }

    /**
     * @return true when the data path has been handed this configuration or a newer one.
     */
    private synchronized boolean deliver(final ChainConfig chain)
    {
        if (null == chain)
        {
            return true;
        }
        if (waitingForRemoval)
        {
            if (chain.indexOf(nodeId) >= 0)
            {
                return true;
            }
            waitingForRemoval = false;
            LOG.info("node={} removed from the chain in epoch {}; registering as a spare", nodeId, chain.epoch());
            register();
        }
        if (chain.epoch() <= deliveredEpoch)
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
     * Brings the registration in line with what the node does, in the background.
     */
    private synchronized void publishProgress()
    {
        if (null == registration)
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
     * Reads the configuration at start, riding out a connection lost for a moment (a loaded machine, a
     * ZooKeeper restart) rather than failing the node's start.
     */
    private ChainConfig readChainConfigRetrying() throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
        while (true)
        {
            try
            {
                return readChainConfig();
            }
            catch (final KeeperException.ConnectionLossException | KeeperException.SessionExpiredException ex)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw ex;
                }
                curator.blockUntilConnected((int)CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private ChainConfig readChainConfig() throws Exception
    {
        final ZooKeeper zooKeeper = curator.getZookeeperClient().getZooKeeper();
        try
        {
            final byte[] data = zooKeeper.getData(paths.configPath(), false, null);
            return null == data ? null : ClusterConfigCodec.decode(data).chain(chainId);
        }
        catch (final KeeperException.NoNodeException ex)
        {
            return null;
        }
    }

    private void keepLease()
    {
        final long intervalMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(lease.durationNs()) / 3);
        while (running)
        {
            final long contactStartNs = System.nanoTime();
            try
            {
                final ChainConfig chain = readChainConfig();
                if (deliver(chain) && !waitingForRemoval)
                {
                    lease.renew(contactStartNs);
                    stallIfAsked();
                }
                publishProgress();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final Exception ex)
            {
                // No contact, no renewal: the lease runs out by itself.
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
     * @return true while the node waits, after a restart, to be removed from the configuration before it registers.
     */
    public boolean waitingForRemoval()
    {
        return waitingForRemoval;
    }

    public void close()
    {
        running = false;
        lease.revoke();
        leaseKeeper.interrupt();
        synchronized (this)
        {
            CloseHelper.quietClose(registration);
        }
        CloseHelper.quietCloseAll(watcher, curator);
    }
}
