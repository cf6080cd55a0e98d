package io.chainkv.node.replication;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.node.FaultHooks;
import io.chainkv.node.membership.DutyCycleHeartbeat;
import io.chainkv.node.membership.MembershipReport;
import io.chainkv.node.membership.SessionLease;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.ClientResult;
import io.chainkv.node.store.ClientTable;
import io.chainkv.node.store.StoredValue;
import io.chainkv.node.transfer.SnapshotReceiver;
import io.chainkv.node.transfer.SnapshotStreamer;
import io.chainkv.node.transfer.TombstoneCollector;
import io.chainkv.protocol.ProtocolEnums;
import io.chainkv.protocol.ProtocolLimits;
import io.chainkv.protocol.codecs.AckDecoder;
import io.chainkv.protocol.codecs.AckEncoder;
import io.chainkv.protocol.codecs.ClientRequestDecoder;
import io.chainkv.protocol.codecs.ClientRequestEncoder;
import io.chainkv.protocol.codecs.ClientResponseDecoder;
import io.chainkv.protocol.codecs.ClientResponseEncoder;
import io.chainkv.protocol.codecs.JoinRequestDecoder;
import io.chainkv.protocol.codecs.MessageHeaderDecoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.ReadMode;
import io.chainkv.protocol.codecs.ResendRequestDecoder;
import io.chainkv.protocol.codecs.ResendRequestEncoder;
import io.chainkv.protocol.codecs.Status;
import io.chainkv.protocol.codecs.SyncPointDecoder;
import io.chainkv.protocol.codecs.SyncPointEncoder;
import io.chainkv.protocol.codecs.TransferAbortDecoder;
import io.chainkv.protocol.codecs.TransferAbortEncoder;
import io.chainkv.protocol.codecs.TransferBatchDecoder;
import io.chainkv.protocol.codecs.TransferBeginDecoder;
import io.chainkv.protocol.codecs.TransferClientsDecoder;
import io.chainkv.protocol.codecs.TransferEndDecoder;
import io.chainkv.protocol.codecs.UpdateDecoder;
import io.chainkv.protocol.codecs.UpdateEncoder;
import io.chainkv.protocol.codecs.UpdateKind;
import io.chainkv.security.ClientIds;
import io.chainkv.security.KeyFile;
import io.chainkv.security.KeyRing;
import io.chainkv.security.KeyRole;
import io.chainkv.transport.Channels;
import io.chainkv.transport.MessageAssembler;
import io.chainkv.transport.MessageSender;
import io.chainkv.transport.ReplyChannels;
import io.chainkv.transport.StreamIds;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The data path of a node: one duty cycle that takes client requests, applies and forwards updates,
 * answers clients from the tail, and passes acks upstream. It is the only thread that touches the store,
 * the Sent list and the publications, so it needs no locks.
 * <p>
 * Roles follow the chain configuration (docs/design.md): the head validates a write, decides its outcome,
 * gives it the next sequence number, applies it, keeps it in its {@link SentList} and forwards it; a middle
 * node applies and forwards; the tail applies, answers the client and acks upstream. Acks trim Sent lists.
 * Every message carries cluster id, chain id and epoch; anything from another cluster, chain or epoch is
 * dropped (node-to-node) or refused (client).
 * <p>
 * A chain configuration may also name a joiner. The tail then streams its store to it ({@link SnapshotStreamer})
 * and forwards it every update it applies, keeping them in its Sent list until the joiner acks them; the joiner
 * ({@link SnapshotReceiver}) applies both, newer version winning, and reports when it has caught up, so that the
 * master makes it the tail. A joiner promoted to tail answers reads only once its predecessor's {@code SyncPoint}
 * shows it holds everything the old tail acknowledged.
 * <p>
 * Every member answers reads (CRAQ, docs/reads.md). A key whose newest version here is committed (its version is
 * at most the commit point acks have brought) is answered at once. A dirty key is answered after a version query:
 * the member asks the tail which version is committed and answers with that version, which it holds as the key's
 * clean version ({@link DirtyVersions}) or in its Sent list. Session reads carry a token (the newest version the
 * client has seen) and are answered from the newest clean version when the member's commit point has reached it.
 */
public final class ReplicationAgent implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationAgent.class);

    private static final int FRAGMENT_LIMIT = 64;
    private static final int FORWARD_LIMIT = 256;
    private static final long RESEND_REQUEST_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SENT_LIST_MAX_BYTES = 64L * 1024 * 1024;

    /** System property of the joiner backlog cap ({@code --joiner-backlog-max-bytes}). */
    public static final String JOINER_BACKLOG_PROP = "chainkv.joiner.backlog.max.bytes";

    /**
     * A joiner that lets this much pile up in the tail's Sent list is cut off (told so, it transfers again) before it
     * could fill the list and stall the chain.
     */
    public static final long DEFAULT_JOINER_BACKLOG_MAX_BYTES = SENT_LIST_MAX_BYTES / 2;
    /** System property of the client session timeout ({@code --client-session-timeout-ms}). */
    public static final String SESSION_TIMEOUT_PROP = "chainkv.client.session.timeout.ms";

    /** System property of the budget of bytes incomplete chunked messages may hold per stream (--max-chunked-bytes). */
    public static final String MAX_CHUNKED_BYTES_PROP = "chainkv.max.chunked.bytes";

    /**
     * How long the head keeps a silent client's session (its exactly-once slots) before it ends it. Clients keep theirs
     * alive with a keepalive every few seconds when idle, and give up on a request long before this (5 s by default), so
     * a request is never retried into a session that ended under it.
     */
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 30_000;
    // Bounds the head's expiry work per housekeeping pass, so a mass expiry never stalls the data path.
    private static final int SESSION_SCAN_LIMIT = 4096;
    private static final int SESSION_ENDS_PER_PASS = 256;
    private static final long JOIN_REQUEST_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long TRANSFER_STALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final int MAX_WAITING_READS = 1024;
    // Short: a read waits this long for the tail before the client hears UNAVAILABLE and tries another member.
    private static final long VERSION_QUERY_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long VERSION_QUERY_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * A node that becomes head in epoch {@code e} numbers its writes from at least {@code e << EPOCH_SEQ_SHIFT},
     * so a sequence number is never given to two different writes, even when the old head assigned numbers
     * that never reached its successor (docs/design.md, invariant 1). 2^40 writes per epoch is plenty.
     */
    public static final int EPOCH_SEQ_SHIFT = 40;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ClientRequestDecoder requestDecoder = new ClientRequestDecoder();
    private final ClientResponseEncoder responseEncoder = new ClientResponseEncoder();
    private final ClientRequestEncoder queryEncoder = new ClientRequestEncoder();
    private final ClientResponseDecoder versionReplyDecoder = new ClientResponseDecoder();
    private final MessageHeaderDecoder committedHeaderDecoder = new MessageHeaderDecoder();
    private final UpdateDecoder committedDecoder = new UpdateDecoder();
    private final UpdateDecoder updateDecoder = new UpdateDecoder();
    private final UpdateEncoder updateEncoder = new UpdateEncoder();
    private final AckDecoder ackDecoder = new AckDecoder();
    private final AckEncoder ackEncoder = new AckEncoder();
    private final ResendRequestDecoder resendDecoder = new ResendRequestDecoder();
    private final ResendRequestEncoder resendEncoder = new ResendRequestEncoder();
    private final JoinRequestDecoder joinRequestDecoder = new JoinRequestDecoder();
    private final SyncPointDecoder syncPointDecoder = new SyncPointDecoder();
    private final SyncPointEncoder syncPointEncoder = new SyncPointEncoder();
    private final TransferAbortDecoder transferAbortDecoder = new TransferAbortDecoder();
    private final TransferAbortEncoder transferAbortEncoder = new TransferAbortEncoder();
    private final TransferBeginDecoder transferBeginDecoder = new TransferBeginDecoder();
    private final TransferBatchDecoder transferBatchDecoder = new TransferBatchDecoder();
    private final TransferClientsDecoder transferClientsDecoder = new TransferClientsDecoder();
    private final TransferEndDecoder transferEndDecoder = new TransferEndDecoder();
    private final ExpandableDirectByteBuffer joinRequestBuffer = new ExpandableDirectByteBuffer(1024);
    private final ExpandableDirectByteBuffer responseBuffer = new ExpandableDirectByteBuffer(4096);
    private final ExpandableDirectByteBuffer queryBuffer = new ExpandableDirectByteBuffer(1024);
    private final StoredValue replacedValue = new StoredValue();
    private final DirtyVersions dirty = new DirtyVersions();
    private final VersionQueries versionQueries = new VersionQueries(MAX_WAITING_READS);
    private final SentList.RecordVisitor onCommittedRecord = this::onVersionCommitted;
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[256]);
    private final StoredValue storedValue = new StoredValue();
    private final ClientResult clientResult = new ClientResult();
    private final CachedNanoClock clock = new CachedNanoClock();
    private final RequestView requestView = new RequestView();
    private final RequestView updateView = new RequestView();
    private final RequestView sessionEndView = new RequestView();
    private final UnsafeBuffer noBytes = new UnsafeBuffer(new byte[0]);

    private final String nodeId;
    private final ChainStore store;
    private final ClientTable clients;
    private final Aeron aeron;
    private final TransportSettings settings;
    // The key file, watched by the process (KeyFileWatch); null when authentication is off.
    private final KeyFile keyFile;
    private long keyGeneration;
    private final NodeCounters counters;
    private final MessageSender sender;
    private final SentList sentList;
    private final ReplyRouter replies;
    private final Subscription clientSubscription;
    private final Subscription replicationSubscription;
    private final Subscription feedbackSubscription;
    private final MessageAssembler clientAssembler;
    private final MessageAssembler replicationAssembler;
    private final MessageAssembler feedbackAssembler;
    private final int maxKeyLength;
    private final int maxValueLength;
    private final SessionLease lease;
    private final ManyToOneConcurrentArrayQueue<ChainConfig> configQueue = new ManyToOneConcurrentArrayQueue<>(64);
    private final SnapshotStreamer streamer;
    private final SnapshotReceiver receiver;
    private final TombstoneCollector tombstones;
    private final SessionLeases sessions;
    private final MembershipReport report = new MembershipReport();
    private final DutyCycleHeartbeat heartbeat = new DutyCycleHeartbeat(System.nanoTime());
    private final AgentFaults faults;
    private final long joinerBacklogMaxBytes;
    private final byte[] versionReplyChannel;
    private final long versionQueryClientId;

    private final String clusterName;
    private final long clusterId;
    private final int chainId;
    private ChainConfig config;
    private long epoch;
    private boolean isMember;
    private boolean leased;
    private boolean isHead;
    private boolean isTail;
    private boolean isJoiner;
    private boolean feedingJoiner;
    private boolean readsAwaitSync;
    // Why this member answers no reads in this epoch (leaving the chain, or a provisional tail), or null.
    private String readsRefused;
    private long syncSeq = Long.MAX_VALUE;
    private boolean syncPointDue;
    private long nextJoinRequestNs;
    private long lastUpstreamActivityNs;
    private ExclusivePublication downstream;
    private ExclusivePublication upstreamFeedback;
    private ExclusivePublication tailQueries;
    private String tailQueriesEndpoint;
    private long nextVersionQueryCheckNs;
    private long nextSeq;
    private long lastApplied;
    private long lastCommitted;
    private long lastAckSent;
    private boolean resendRequestDue;
    private long lastResendRequestNs;
    private int lastUpstreamImageCount;
    private long nextHousekeepingNs;
    private long unexpectedMessages;
    private long unauthenticatedFrames;
    private long replyChannelsRefused;
    // The members' endpoints as bytes, the only places a version query may ask to be answered (rebuilt per epoch).
    private byte[][] memberEndpoints = new byte[0][];
    private boolean ackRefreshDue;
    private Status refusalStatus;
    // As predecessor of a provisional tail: that tail, and the seq it must hold before the handoff is proven.
    private String handoffSuccessorId;
    private long handoffSeq;
    // A TransferAbort to (re)send downstream until the publication takes it.
    private boolean transferAbortDue;
    private long transferAbortId;
    private long transferAbortHeldAfter;
    // The predecessor no longer holds updates this member lacks: it answers no reads until they arrive.
    private boolean missingUpdates;
    private long joinerHoldUntilNs;
    private boolean claimDelayUsed;
    private long claimDelayedEpoch;
    private long claimDueNs;
    private long lastStreamedTransferId;
    private long abortLoggedEpoch;
    private boolean joinerHoldUsed;

    /**
     * Creates the agent of a node that is not yet part of any configuration; it refuses client requests and
     * ignores replication traffic until {@link #offerConfig(ChainConfig)} gives it one that names it.
     *
     * @param nodeId      this node's id.
     * @param endpoint    host:port this node receives on.
     * @param clusterName the cluster it belongs to.
     * @param chainId     the chain it serves.
     * @param store       the node's store, open.
     * @param aeron       Aeron client of this process's driver.
     * @param settings    transport settings.
     * @param counters    where the node counts what it does.
     * @param lease       the node's ZooKeeper session lease; {@link SessionLease#unbounded()} for a static chain.
     */
    public ReplicationAgent(
        final String nodeId,
        final String endpoint,
        final String clusterName,
        final int chainId,
        final ChainStore store,
        final Aeron aeron,
        final TransportSettings settings,
        final NodeCounters counters,
        final SessionLease lease)
    {
        this.nodeId = nodeId;
        this.clusterName = clusterName;
        this.clusterId = ChainConfig.clusterIdOf(clusterName);
        this.chainId = chainId;
        this.store = store;
        this.clients = store.clients();
        this.aeron = aeron;
        this.settings = settings;
        this.keyFile = settings.keyFile();
        this.keyGeneration = null == keyFile ? 0 : keyFile.generation();
        this.counters = counters;
        this.lease = lease;
        this.maxKeyLength = store.config().maxKeyLength();
        this.maxValueLength = store.config().maxValueLength();
        this.sender = new MessageSender(settings.maxMessageLength(),
            new HeartbeatIdleStrategy(heartbeat, settings.newIdleStrategy()), settings.newSigner(KeyRole.MEMBER));
        this.faults = AgentFaults.fromSystemProperties(nodeId);
        this.sentList = new SentList(1024 * 1024, SENT_LIST_MAX_BYTES);
        this.replies = new ReplyRouter(aeron, settings, new MessageSender(settings.maxMessageLength(),
            new HeartbeatIdleStrategy(heartbeat, settings.newIdleStrategy()), settings.newSigner(KeyRole.CLIENT)),
            settings.newClientReplySigners(), sender, ReplyRouter.maxPublicationsFromSystemProperties(),
            ReplyRouter.idleTimeoutNsFromSystemProperties(), ReplyRouter.maxPendingBytesFromSystemProperties());
        this.sessions = new SessionLeases(clients.sessionIndexCapacity(),
            TimeUnit.MILLISECONDS.toNanos(Long.getLong(SESSION_TIMEOUT_PROP, DEFAULT_SESSION_TIMEOUT_MS)));

        final int maxAssembled = maxKeyLength + maxValueLength + ProtocolLimits.MAX_ENVELOPE_LENGTH;
        // Clients and members (version queries) send on the client request stream; only members on the others
        // (docs/security.md).
        final long maxChunkedBytes = Long.getLong(MAX_CHUNKED_BYTES_PROP, MessageAssembler.DEFAULT_MAX_PARTIAL_BYTES);
        this.clientAssembler = new MessageAssembler(this::onClientMessage, maxAssembled,
            settings.newVerifier(KeyRole.CLIENT, KeyRole.MEMBER), StreamIds.CLIENT_REQUEST, maxChunkedBytes);
        this.replicationAssembler = new MessageAssembler(this::onReplicationMessage, maxAssembled,
            settings.newVerifier(KeyRole.MEMBER), StreamIds.REPLICATION, maxChunkedBytes);
        this.feedbackAssembler = new MessageAssembler(this::onFeedbackMessage,
            ProtocolLimits.MAX_ENVELOPE_LENGTH + SnapshotReceiver.MAX_SUSPECT_KEY_BYTES,
            settings.newVerifier(KeyRole.MEMBER), StreamIds.FEEDBACK);
        this.streamer = new SnapshotStreamer(store, sender, counters.transfer());
        this.receiver = new SnapshotReceiver(nodeId, store, counters.transfer(), heartbeat);
        this.tombstones = new TombstoneCollector(store, counters.transfer());
        this.joinerBacklogMaxBytes = Long.getLong(JOINER_BACKLOG_PROP, DEFAULT_JOINER_BACKLOG_MAX_BYTES);

        final String channel = Channels.udp(endpoint, settings);
        this.versionReplyChannel = channel.getBytes(StandardCharsets.US_ASCII);
        // Version queries travel as client requests of op VERSION; a random id keeps their replies apart from any
        // client's at the tail's reply router.
        this.versionQueryClientId = ThreadLocalRandom.current().nextLong();
        this.clientSubscription = aeron.addSubscription(channel, StreamIds.CLIENT_REQUEST);
        this.replicationSubscription = aeron.addSubscription(channel, StreamIds.REPLICATION);
        this.feedbackSubscription = aeron.addSubscription(channel, StreamIds.FEEDBACK);

        this.lastApplied = store.lastAppliedSeq();
        this.lastCommitted = store.lastCommittedSeq();
        this.lastAckSent = lastCommitted;
        this.sentList.reset(lastApplied);
        publishSeqCounters();
    }

    /**
     * @param config a chain configuration, or null.
     * @param nodeId a node.
     * @return the role the node has in it: HEAD, MIDDLE, TAIL, HEAD_TAIL, JOINER, or SPARE when it is neither a
     * member nor the joiner.
     */
    public static String roleIn(final ChainConfig config, final String nodeId)
    {
        final int index = null == config ? -1 : config.indexOf(nodeId);
        if (index < 0)
        {
            return null != config && config.isJoiner(nodeId) ? "JOINER" : "SPARE";
        }
        final boolean head = 0 == index;
        final boolean tail = config.members().size() - 1 == index;
        return head && tail ? "HEAD_TAIL" : head ? "HEAD" : tail ? "TAIL" : "MIDDLE";
    }

    public String roleName()
    {
        return "chainkv-replication-" + nodeId;
    }

    public int doWork()
    {
        final long nowNs = System.nanoTime();
        clock.update(nowNs);
        // The lease keeper gives up the node's place when this stops moving (docs/failures.md, "The replication thread
        // dies or is stuck"): a node whose data path has stopped must not hold a place in a chain.
        heartbeat.beat(nowNs);
        int work = 0;
        if (null != keyFile && keyFile.generation() != keyGeneration)
        {
            useNewKeys();
        }

        // Checked on the data path itself, once per duty cycle, so requests queued while the process was
        // paused are refused in the first cycle after it resumes (docs/design.md, invariant 6). Read before the
        // configuration queue: a renewal is published after the configuration read with it was offered, so
        // a lease seen here comes with every configuration that was current when it was renewed.
        final boolean wasLeased = leased;
        leased = lease.isValid(nowNs);
        if (wasLeased != leased && isMember)
        {
            logLeaseChange();
        }

        ChainConfig newConfig;
        while (null != (newConfig = configQueue.poll()))
        {
            if (newConfig.epoch() > epoch && newConfig.chainId() == chainId && newConfig.clusterId() == clusterId)
            {
                reconfigure(newConfig);
                work++;
            }
        }

        work += feedbackSubscription.poll(feedbackAssembler, FRAGMENT_LIMIT);
        if ((isJoiner || (leased && isMember && !isHead)) && !sentList.isFull() && !holdingUpstream(nowNs))
        {
            work += pollUpstream();
        }
        if (!sentList.isFull())
        {
            work += clientSubscription.poll(clientAssembler, FRAGMENT_LIMIT);
        }
        work += forward();
        if (feedingJoiner && null != downstream)
        {
            work += streamer.doWork(downstream, lastApplied);
        }
        work += sendSyncPoint();
        work += sendTransferAbort();
        if (leased || isJoiner)
        {
            work += sendFeedback(nowNs);
        }
        if (isJoiner)
        {
            work += joinerDuties(nowNs);
        }
        work += replies.doWork(nowNs);
        if (nowNs >= nextVersionQueryCheckNs)
        {
            nextVersionQueryCheckNs = nowNs + VERSION_QUERY_CHECK_INTERVAL_NS;
            work += expireVersionQueries(nowNs);
        }

        if (nowNs >= nextHousekeepingNs)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            housekeeping(nowNs);
        }
        if (null != faults)
        {
            faults.injectIfAsked(nowNs);
        }

        return work;
    }

    public void onClose()
    {
        CloseHelper.closeAll(replies, downstream, upstreamFeedback, tailQueries, clientSubscription,
            replicationSubscription, feedbackSubscription);
    }

    /**
     * Hands the agent a newer configuration; it takes effect at the start of the next duty cycle. Safe to
     * call from any thread (the ZooKeeper watcher's).
     *
     * @param newConfig a configuration of this node's chain; ignored unless its epoch is newer.
     * @return false if the queue is full (the caller offers the newest again later).
     */
    public boolean offerConfig(final ChainConfig newConfig)
    {
        return configQueue.offer(newConfig);
    }

    private void reconfigure(final ChainConfig newConfig)
    {
        final ChainConfig oldConfig = config;
        final boolean wasTail = isTail;
        final boolean wasMember = isMember;
        final boolean wasJoiner = isJoiner;
        final String oldRole = roleIn(oldConfig, nodeId);

        config = newConfig;
        epoch = newConfig.epoch();
        memberEndpoints = endpointsOf(newConfig);
        counters.reconfigurations.incrementRelease();
        // Every epoch starts any transfer afresh: the joiner asks again, the tail streams again. An abort not yet sent
        // belongs to the old epoch; a successor that still lacks what is gone asks again and hears it in this one.
        streamer.reset();
        feedingJoiner = false;
        transferAbortDue = false;
        isJoiner = newConfig.isJoiner(nodeId);
        // Reads waiting for the old tail's answer go back to their clients, who retry in the new epoch.
        refuseWaitingReads(Status.STALE_EPOCH, "the chain was reconfigured (epoch " + epoch +
            ") while this read waited for the tail; retry");
        if (newConfig.indexOf(nodeId) < 0)
        {
            if (isMember)
            {
                LOG.warn("node={} epoch={} this node is not a member of the new configuration {}; it stops serving",
                    nodeId, newConfig.epoch(), newConfig);
            }
            isHead = false;
            isTail = false;
            isMember = false;
            dirty.clear();
            handoffSuccessorId = null;
            missingUpdates = false;
            report.handoffEpoch(0);
            report.needsTransferEpoch(0);
            // No longer a member: later writes pass it by, so its store is no full member's history any more.
            store.memberEpoch(0);
            connectTail(null);
            connectNeighbours(wasMember || wasJoiner ? oldConfig : null, isJoiner ? newConfig : null);
            if (isJoiner)
            {
                receiver.prepareOnce();
                startJoinAttempt();
                LOG.info("node={} epoch={} joining chain {} behind tail {}", nodeId, epoch, newConfig.members(),
                    newConfig.tail());
            }
            else
            {
                receiver.stop();
            }
            counters.epoch.setRelease(epoch);
            counters.role.setRelease(NodeCounters.Role.of(roleIn(newConfig, nodeId)).ordinal());
            readsRefused = null;
            report.adoptedEpoch(epoch);
            return;
        }

        isMember = true;
        connectNeighbours(wasMember || wasJoiner ? oldConfig : null, newConfig);
        takeRole(newConfig);
        connectTail(isTail ? null : newConfig.tail());
        if (wasJoiner)
        {
            receiver.stop();
            report.caughtUpEpoch(0);
            // The old tail acknowledged writes we may not have yet; its SyncPoint says how far to go before reads.
            readsAwaitSync = isTail && !isHead;
            syncSeq = Long.MAX_VALUE;
        }
        if (isHead)
        {
            // No predecessor will send a SyncPoint. A node left as the only member is never a provisional tail (the
            // master takes a provisional tail back to joining when its giver goes), so it holds every acknowledged write.
            readsAwaitSync = false;
        }
        trackHandoff(newConfig);

        // Updates and acks in flight while neighbours changed epoch at different moments were dropped as
        // stale; tell the predecessor where we are and repeat our ack in the new epoch.
        resendRequestDue = null != upstreamFeedback;
        ackRefreshDue = true;

        if (isTail && !wasTail && wasMember)
        {
            // Our successors are gone: everything we hold in the Sent list reached the (new) tail, i.e. us,
            // so it is committed. Answer its clients and let acks carry the news upstream.
            sentList.forEach(this::replyForRecord);
            commitThrough(lastApplied);
        }
        readsRefused = readsRefusedIn(newConfig);
        if (isTail)
        {
            // Whatever a tail applied is committed and needed by no one downstream; a joiner asks again and gets
            // what it lacks from a fresh transfer.
            sentList.trimTo(lastApplied);
            dirty.clear();
        }

        if (isTail && lastApplied > lastCommitted)
        {
            // A tail's applied updates are committed by definition; a restarted member that re-forms its chain alone
            // (every other member went down) holds some it had not seen acknowledged.
            commitThrough(lastApplied);
        }
        recordMemberHistory(newConfig);
        counters.epoch.setRelease(epoch);
        counters.role.setRelease(NodeCounters.Role.of(roleIn(newConfig, nodeId)).ordinal());
        report.adoptedEpoch(epoch);
        LOG.info("node={} epoch={} role {} -> {} chain={} lastApplied={} lastCommitted={} sentList={}",
            nodeId, newConfig.epoch(), oldRole, roleIn(newConfig, nodeId), newConfig.members(), lastApplied, lastCommitted,
            sentList.size());
    }

    /**
     * A member that is leaving answers no reads from the epoch that says so, and the master removes it only once it has
     * adopted that epoch: so no configuration without it commits a write while it may still answer reads (docs/design.md,
     * invariant 10). A provisional tail answers none until the master has confirmed its handoff in a later epoch: if its
     * giver dies first it goes back to joining, and a read it answered then could miss what the chain commits without it.
     * Version queries from members of the same epoch are still answered: their reads belong to this epoch.
     */
    private String readsRefusedIn(final ChainConfig newConfig)
    {
        if (newConfig.answersReads(nodeId))
        {
            return null;
        }
        return newConfig.leaving().contains(nodeId) ?
            "node " + nodeId + " is leaving chain " + chainId + " (epoch " + epoch + ") and answers no reads; read at " +
            "another member" :
            "node " + nodeId + " has just joined chain " + chainId + " as tail and answers reads once its handoff is " +
            "confirmed; read at another member";
    }

    private void logLeaseChange()
    {
        // Once per change, never per request: a member losing its lease stops answering, which operators must see.
        if (leased)
        {
            LOG.info("node={} epoch={} lease valid again: serving as {}", nodeId, epoch, roleIn(config, nodeId));
        }
        else
        {
            LOG.warn("node={} epoch={} lease lost: refusing every request until ZooKeeper confirms the session",
                nodeId, epoch);
        }
    }

    private void connectNeighbours(final ChainConfig oldConfig, final ChainConfig newConfig)
    {
        // A tail's downstream is the joiner, if any; a joiner's upstream is the tail.
        final ChainMember oldSuccessor = null == oldConfig ? null : oldConfig.downstreamOf(nodeId);
        final ChainMember oldPredecessor = null == oldConfig ? null : oldConfig.upstreamOf(nodeId);
        final ChainMember newSuccessor = null == newConfig ? null : newConfig.downstreamOf(nodeId);
        final ChainMember newPredecessor = null == newConfig ? null : newConfig.upstreamOf(nodeId);

        if (null == oldConfig || !Objects.equals(oldSuccessor, newSuccessor))
        {
            CloseHelper.close(downstream);
            downstream = null == newSuccessor ? null :
                aeron.addExclusivePublication(Channels.udp(newSuccessor.endpoint(), settings), StreamIds.REPLICATION);
            // A new successor may hold less than the old one; offer it everything not yet acknowledged and
            // let it drop what it already has. Its resend request then puts the cursor where it needs it.
            sentList.rewindToAfter(lastCommitted);
        }

        if (null == oldConfig || !Objects.equals(oldPredecessor, newPredecessor))
        {
            CloseHelper.close(upstreamFeedback);
            upstreamFeedback = null == newPredecessor ? null :
                aeron.addExclusivePublication(Channels.udp(newPredecessor.endpoint(), settings), StreamIds.FEEDBACK);
            resendRequestDue = null != newPredecessor;
            lastAckSent = Math.min(lastAckSent, lastCommitted - 1);
        }
    }

    /**
     * Keeps the publication a member sends version queries on pointed at the current tail.
     */
    private void connectTail(final ChainMember tail)
    {
        final String endpoint = null == tail ? null : tail.endpoint();
        if (!Objects.equals(endpoint, tailQueriesEndpoint))
        {
            CloseHelper.close(tailQueries);
            tailQueries = null == endpoint ? null :
                aeron.addExclusivePublication(Channels.udp(endpoint, settings), StreamIds.CLIENT_REQUEST);
            tailQueriesEndpoint = endpoint;
        }
    }

    private void takeRole(final ChainConfig newConfig)
    {
        final int index = newConfig.indexOf(nodeId);
        final boolean wasHead = isHead;
        isHead = 0 == index;
        isTail = newConfig.members().size() - 1 == index;
        if (isHead && !wasHead)
        {
            nextSeq = Math.max(lastApplied + 1, newConfig.epoch() == 1 ? 1 : newConfig.epoch() << EPOCH_SEQ_SHIFT);
            // The old head's clock is lost with it: every session's lease starts now.
            sessions.renewAll(System.nanoTime());
        }
    }

    /**
     * Persists whether this store holds a full member's history in this epoch: every write the chain acknowledged. A
     * provisional tail may lack some, and so may a member whose predecessor could not resend what it lacks. If every
     * member of the chain goes down, the master re-forms it only from a restarted node whose store says so.
     */
    private void recordMemberHistory(final ChainConfig newConfig)
    {
        final boolean provisionalTail = newConfig.tailProvisional() && isTail;
        store.memberEpoch(provisionalTail || missingUpdates ? 0 : epoch);
    }

    /**
     * As predecessor of a provisional tail (a joiner just made tail), remembers what that tail must hold before the
     * handoff is proven: everything this node applied when it first saw the promotion, which covers everything it
     * acknowledged as tail (docs/design.md, invariant 9). Kept across epochs while the same node stays provisional
     * behind this one, since what it must hold does not change.
     */
    private void trackHandoff(final ChainConfig newConfig)
    {
        final ChainMember successor = newConfig.successorOf(nodeId);
        if (!newConfig.tailProvisional() || null == successor || !successor.equals(newConfig.tail()))
        {
            handoffSuccessorId = null;
            return;
        }
        if (!successor.nodeId().equals(handoffSuccessorId))
        {
            handoffSuccessorId = successor.nodeId();
            handoffSeq = lastApplied;
            report.handoffEpoch(0);
            LOG.info("node={} epoch={} {} is a provisional tail: the handoff is proven once it holds seq {}", nodeId,
                epoch, handoffSuccessorId, handoffSeq);
        }
    }

    /**
     * An ack from the provisional tail at or past the handoff seq proves it holds everything this node acknowledged.
     */
    private void checkHandoff(final long successorCommitted)
    {
        if (null != handoffSuccessorId && successorCommitted >= handoffSeq && report.handoffEpoch() != epoch)
        {
            report.handoffEpoch(epoch);
            LOG.info("node={} epoch={} handoff proven: {} holds seq {}, everything this node acknowledged as tail",
                nodeId, epoch, handoffSuccessorId, successorCommitted);
        }
    }

    /**
     * The key file changed (docs/security.md, "Issuing and revoking client keys"): frames are signed and checked with
     * its keys from this duty cycle on. A message half-assembled from chunks under a revoked key is dropped with it.
     */
    private void useNewKeys()
    {
        keyGeneration = keyFile.generation();
        final KeyRing keys = keyFile.ring();
        sender.signWith(keys.signer(KeyRole.MEMBER));
        replies.useKeys(keys.clientReplySigners());
        clientAssembler.useVerifier(keys.verifier(KeyRole.CLIENT, KeyRole.MEMBER));
        replicationAssembler.useVerifier(keys.verifier(KeyRole.MEMBER));
        feedbackAssembler.useVerifier(keys.verifier(KeyRole.MEMBER));
        LOG.info("node={} signs and checks frames with the keys read again from {}: {}", nodeId, keyFile.path(),
            keys.describe());
    }

    private void commitThrough(final long seq)
    {
        if (seq > lastCommitted)
        {
            lastCommitted = seq;
            store.lastCommittedSeq(seq);
            counters.lastCommittedSeq.setRelease(seq);
        }
        sentList.trimTo(seq, 0 == dirty.size() ? null : onCommittedRecord);
        counters.commitLatency.committed(seq, clock.nanoTime());
    }

    private int pollUpstream()
    {
        final int imageCount = replicationSubscription.imageCount();
        if (imageCount > lastUpstreamImageCount)
        {
            // A (re)connected predecessor must learn where we are before its updates make sense to us.
            resendRequestDue = true;
        }
        lastUpstreamImageCount = imageCount;
        return replicationSubscription.poll(replicationAssembler, FRAGMENT_LIMIT);
    }

    private void onClientMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        if (ClientRequestDecoder.TEMPLATE_ID != headerDecoder.templateId())
        {
            unexpectedMessages++;
            return;
        }

        final ClientRequestDecoder request = requestDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        if (KeyRole.CLIENT == clientAssembler.lastRole() && StreamIds.CLIENT_REPLY != request.replyStreamId())
        {
            // A client may be answered on the client reply stream only: a reply on another stream would be signed
            // with the member key and pass at a member as a member's frame (docs/security.md).
            unauthenticatedFrames++;
            return;
        }
        if (KeyRole.CLIENT == clientAssembler.lastRole() &&
            !ClientIds.isBoundTo(request.clientId(), clientAssembler.lastKeyId()))
        {
            // One client key may not speak for another's sessions (docs/security.md, "Per-client keys").
            unauthenticatedFrames++;
            return;
        }
        counters.clientRequests.incrementRelease();
        final long requestClusterId = request.clusterId();
        final int requestChainId = request.chainId();
        final long requestEpoch = request.epoch();
        final long expectedVersion = request.expectedVersion();
        final ReadMode readMode = ProtocolEnums.readModeOf(request.readModeRaw());
        final RequestView view = requestView.wrap(buffer, request);
        if (OpType.KEEPALIVE == view.op || OpType.SESSION_CLOSE == view.op)
        {
            onSessionMessage(view, requestClusterId, requestChainId, requestEpoch);
            return;
        }
        if (!acceptsReplyChannel(view))
        {
            return;
        }
        if (OpType.NULL_VAL == view.op || (OpType.GET == view.op && ReadMode.NULL_VAL == readMode))
        {
            // Answered MALFORMED below (the reply channel is sound), and counted with every other unknown enum value.
            counters.unknownEnumsDropped.incrementRelease();
        }

        final String refusal = refusalOf(requestClusterId, requestChainId, requestEpoch, readMode, view);
        if (null != refusal)
        {
            counters.rejectedRequests.incrementRelease();
            respond(view, refusalStatus, 0, view.buffer, 0, 0, refusal);
        }
        else if (OpType.GET == view.op)
        {
            read(view, readMode, expectedVersion, buffer, offset, length);
        }
        else if (OpType.VERSION == view.op)
        {
            answerVersionQuery(view);
        }
        else
        {
            sequenceWrite(view, expectedVersion);
        }
    }

    /**
     * A request is answered at the channel it names, so one naming a channel the node must not publish to cannot be
     * answered at all: it is dropped and counted (docs/protocol.md, "Reply channels"). A client names a unicast IP
     * literal on the client reply stream; a member's version query names a member of this epoch on the feedback stream.
     */
    private boolean acceptsReplyChannel(final RequestView view)
    {
        final boolean accepted;
        if (OpType.VERSION == view.op)
        {
            accepted = StreamIds.FEEDBACK == view.replyStreamId && isMemberEndpoint(view);
        }
        else
        {
            accepted = StreamIds.CLIENT_REPLY == view.replyStreamId && ReplyChannels.OK ==
                ReplyChannels.checkClientChannel(view.buffer, view.channelOffset, view.channelLength);
        }
        if (!accepted)
        {
            counters.replyChannelsRefused.incrementRelease();
            // Once per thousand: a flood of them must not turn into a flood of log lines on this thread.
            if (0 == replyChannelsRefused++ % 1000)
            {
                LOG.warn("node={} dropped a {} request of client {} naming reply stream {} on '{}': {} ({} so far)",
                    nodeId, view.op, view.clientId, view.replyStreamId,
                    view.buffer.getStringWithoutLengthAscii(view.channelOffset, Math.min(view.channelLength, 128)),
                    refusalTextOf(view), replyChannelsRefused);
            }
        }
        return accepted;
    }

    private String refusalTextOf(final RequestView view)
    {
        if (OpType.VERSION == view.op)
        {
            return "a version query is answered only at a member of epoch " + epoch + " on the feedback stream";
        }
        if (StreamIds.CLIENT_REPLY != view.replyStreamId)
        {
            return "clients are answered on stream " + StreamIds.CLIENT_REPLY + " only";
        }
        return ReplyChannels.reasonText(
            ReplyChannels.checkClientChannel(view.buffer, view.channelOffset, view.channelLength));
    }

    private boolean isMemberEndpoint(final RequestView view)
    {
        final int length = ReplyChannels.endpointLength(view.buffer, view.channelOffset, view.channelLength);
        final int start = view.channelOffset + ReplyChannels.PREFIX.length();
        for (final byte[] endpoint : memberEndpoints)
        {
            if (endpoint.length == length && equalBytes(view.buffer, start, endpoint))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean equalBytes(final DirectBuffer buffer, final int offset, final byte[] bytes)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            if (buffer.getByte(offset + i) != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    private static byte[][] endpointsOf(final ChainConfig config)
    {
        final byte[][] endpoints = new byte[config.members().size()][];
        for (int i = 0; i < endpoints.length; i++)
        {
            endpoints[i] = config.members().get(i).endpoint().getBytes(StandardCharsets.US_ASCII);
        }
        return endpoints;
    }

    /**
     * A client's keepalive renews its session's lease at the head; a client's close ends its session at once (a
     * {@code SESSION_END} update, as expiry would later). Neither is answered: a keepalive that finds no session is
     * harmless, and the client's next write learns the session ended (SESSION_EXPIRED). Anything not for this head in
     * this epoch is dropped.
     */
    private void onSessionMessage(
        final RequestView view, final long requestClusterId, final int requestChainId, final long requestEpoch)
    {
        if (clusterId != requestClusterId || chainId != requestChainId || epoch != requestEpoch || !isMember ||
            !isHead || !leased)
        {
            counters.staleMessagesDropped.incrementRelease();
            return;
        }
        final int session = clients.sessionOf(view.clientId);
        if (session < 0)
        {
            return;
        }
        if (OpType.KEEPALIVE == view.op)
        {
            sessions.touch(session, clock.nanoTime());
        }
        else if (!sentList.isFull())
        {
            appendSessionEnd(view.clientId);
        }
    }

    /**
     * At the head: ends the sessions silent for longer than the session timeout, each with a {@code SESSION_END}
     * update, so every replica drops it at the same seq (docs/design.md, invariant 11).
     */
    private void expireSessions(final long nowNs)
    {
        for (int i = 0; i < SESSION_ENDS_PER_PASS && !sentList.isFull(); i++)
        {
            final long clientId = sessions.nextExpired(clients, nowNs, SESSION_SCAN_LIMIT);
            if (0 == clientId)
            {
                return;
            }
            appendSessionEnd(clientId);
            counters.sessionsExpired.incrementRelease();
        }
    }

    private void appendSessionEnd(final long clientId)
    {
        appendUpdate(UpdateKind.SESSION_END, Status.OK, 0, sessionEndView.wrapSessionEnd(noBytes, clientId), false,
            false);
    }

    /**
     * @return why the request is refused (and sets {@link #refusalStatus}), or null if it may be served.
     */
    private String refusalOf(
        final long requestClusterId,
        final int requestChainId,
        final long requestEpoch,
        final ReadMode readMode,
        final RequestView view)
    {
        final OpType op = view.op;
        // Reads the tail alone may answer: classic reads, and version queries from the other members.
        final boolean tailRead = OpType.VERSION == op || (OpType.GET == op && ReadMode.TAIL == readMode);
        final Status status;
        final String detail;
        if (clusterId != requestClusterId)
        {
            status = Status.WRONG_CLUSTER;
            detail = "this node belongs to cluster '" + clusterName + "'; check the client's cluster name";
        }
        else if (chainId != requestChainId)
        {
            status = Status.WRONG_CHAIN;
            detail = "this node serves chain " + chainId + ", not chain " + requestChainId;
        }
        else if (!isMember)
        {
            status = Status.STALE_EPOCH;
            detail = "node " + nodeId + " is not a member of chain " + chainId + " in epoch " + epoch +
                "; refresh the chain configuration and retry";
        }
        else if (epoch != requestEpoch)
        {
            status = Status.STALE_EPOCH;
            detail = "request for epoch " + requestEpoch + " but this node is in epoch " + epoch +
                "; refresh the chain configuration and retry";
        }
        else if (!leased || !lease.isValid(System.nanoTime()))
        {
            // Checked again here, not only at the top of the duty cycle: a pause (SIGSTOP, GC) between that check
            // and this poll would otherwise let requests that queued up during it be answered on a stale lease.
            status = Status.UNAVAILABLE;
            detail = "node " + nodeId + " cannot confirm its ZooKeeper session (lease expired); retry shortly";
        }
        else if (OpType.NULL_VAL == op)
        {
            status = Status.MALFORMED;
            detail = "unknown operation";
        }
        else if (OpType.GET == op && ReadMode.NULL_VAL == readMode)
        {
            status = Status.MALFORMED;
            detail = "unknown read mode";
        }
        else if (tailRead && !isTail)
        {
            status = Status.NOT_TAIL;
            detail = (OpType.VERSION == op ? "version queries go to the tail, " : "TAIL reads go to the tail, ") +
                config.tail() + " in epoch " + epoch;
        }
        else if (OpType.GET != op && OpType.VERSION != op && !isHead)
        {
            status = Status.NOT_HEAD;
            detail = "writes go to the head, " + config.head() + " in epoch " + epoch;
        }
        else if (OpType.GET == op && null != readsRefused)
        {
            status = Status.UNAVAILABLE;
            detail = readsRefused;
        }
        else if ((OpType.GET == op || OpType.VERSION == op) && missingUpdates)
        {
            status = Status.UNAVAILABLE;
            detail = "node " + nodeId + " lacks updates its predecessor no longer holds and waits to be taken out of " +
                "the chain to transfer them again; retry (another member answers)";
        }
        else if ((OpType.GET == op || OpType.VERSION == op) && isTail && readsAwaitSync && !syncReached())
        {
            status = Status.UNAVAILABLE;
            detail = "node " + nodeId + " just joined as tail and is still receiving the last updates its predecessor " +
                "acknowledged; retry shortly";
        }
        else if (OpType.GET != op && OpType.VERSION != op && 0 == view.clientId)
        {
            status = Status.MALFORMED;
            detail = "client id 0 is reserved; a write needs a client id (its session)";
        }
        else if (0 == view.keyLength)
        {
            status = Status.MALFORMED;
            detail = "the key is empty; keys are 1 to " + maxKeyLength + " bytes";
        }
        else if (view.keyLength > maxKeyLength)
        {
            status = Status.KEY_TOO_LARGE;
            detail = "key of " + view.keyLength + " bytes is over this cluster's limit of " + maxKeyLength + " bytes";
        }
        else if (view.valueLength > maxValueLength)
        {
            status = Status.VALUE_TOO_LARGE;
            detail = "value of " + view.valueLength + " bytes is over this cluster's limit of " + maxValueLength +
                " bytes";
        }
        else if ((OpType.GET == op || OpType.DELETE == op || OpType.VERSION == op) && view.valueLength != 0)
        {
            status = Status.MALFORMED;
            detail = op + " carries no value";
        }
        else
        {
            return null;
        }
        refusalStatus = status;
        return detail;
    }

    /**
     * Answers a read at any member (CRAQ). The store holds the newest version here, and every committed write passed
     * through this member before it reached the tail, so a newest version at or below the commit point is the newest
     * committed one: answered at once. A dirty key needs the tail's word on which version is committed, unless a
     * session read may take the newest clean version held here.
     */
    private void read(
        final RequestView view,
        final ReadMode readMode,
        final long sessionToken,
        final DirectBuffer message,
        final int messageOffset,
        final int messageLength)
    {
        final boolean found = store.read(view.buffer, view.keyOffset, view.keyLength, storedValue);
        if (isTail || !found || storedValue.version() <= lastCommitted)
        {
            answerStored(view, found);
            return;
        }

        final boolean sessionMayTakeClean = ReadMode.EVENTUAL == readMode ||
            ((ReadMode.READ_YOUR_WRITES == readMode || ReadMode.MONOTONIC == readMode) && lastCommitted >= sessionToken);
        if (sessionMayTakeClean)
        {
            // Every write up to the token is committed and applied here, so the clean version is new enough.
            final DirtyVersions.DirtyKey entry = dirty.find(view.buffer, view.keyOffset, view.keyLength);
            if (null != entry && entry.isCleanKnown())
            {
                answerClean(view, entry);
                return;
            }
        }
        askTail(view, message, messageOffset, messageLength);
    }

    private void answerStored(final RequestView view, final boolean found)
    {
        counters.readsAnswered.incrementRelease();
        if (!found || storedValue.isTombstone())
        {
            respond(view, Status.NOT_FOUND, found ? storedValue.version() : 0, view.buffer, 0, 0, null);
        }
        else
        {
            respond(view, Status.OK, storedValue.version(), storedValue.value(), 0, storedValue.valueLength(), null);
        }
    }

    private void answerClean(final RequestView view, final DirtyVersions.DirtyKey entry)
    {
        counters.readsAnswered.incrementRelease();
        if (entry.isCleanAbsent())
        {
            respond(view, Status.NOT_FOUND, entry.cleanVersion(), view.buffer, 0, 0, null);
        }
        else
        {
            respond(view, Status.OK, entry.cleanVersion(), entry.cleanValue(), 0, entry.cleanValueLength(), null);
        }
    }

    /**
     * Keeps the read and asks the tail which version of its key is committed; {@link #onVersionReply} answers it.
     */
    private void askTail(
        final RequestView view, final DirectBuffer message, final int messageOffset, final int messageLength)
    {
        if (null == tailQueries || !tailQueries.isConnected())
        {
            counters.rejectedRequests.incrementRelease();
            respond(view, Status.UNAVAILABLE, 0, view.buffer, 0, 0, "node " + nodeId + " holds an uncommitted " +
                "version of this key and cannot reach the tail to learn which version is committed; retry");
            return;
        }
        final long queryId = versionQueries.add(message, messageOffset, messageLength,
            clock.nanoTime() + VERSION_QUERY_TIMEOUT_NS);
        if (0 == queryId)
        {
            counters.rejectedRequests.incrementRelease();
            respond(view, Status.BUSY, 0, view.buffer, 0, 0, "node " + nodeId + " has " + MAX_WAITING_READS +
                " reads of uncommitted keys waiting for the tail; retry");
            return;
        }

        queryBuffer.checkLimit(ProtocolLimits.MAX_ENVELOPE_LENGTH + view.keyLength + versionReplyChannel.length);
        queryEncoder.wrapAndApplyHeader(queryBuffer, 0, headerEncoder)
            .clusterId(clusterId)
            .chainId(chainId)
            .replyStreamId(StreamIds.FEEDBACK)
            .epoch(epoch)
            .clientId(versionQueryClientId)
            .requestSeq(queryId)
            .expectedVersion(0)
            .op(OpType.VERSION)
            .readMode(ReadMode.TAIL)
            .putKey(view.buffer, view.keyOffset, view.keyLength)
            .putValue(view.buffer, 0, 0)
            .putReplyChannel(versionReplyChannel, 0, versionReplyChannel.length);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + queryEncoder.encodedLength();
        if (sender.send(tailQueries, queryBuffer, 0, length, queryId) < 0)
        {
            versionQueries.release(versionQueries.slotOf(queryId));
            counters.rejectedRequests.incrementRelease();
            respond(view, Status.UNAVAILABLE, 0, view.buffer, 0, 0, "node " + nodeId + " could not send a version " +
                "query to the tail (back pressure); retry");
            return;
        }
        counters.versionQueriesSent.incrementRelease();
    }

    /**
     * At the tail: which version of this key is committed (0 if none). The answer carries no value.
     */
    private void answerVersionQuery(final RequestView view)
    {
        final boolean found = store.read(view.buffer, view.keyOffset, view.keyLength, storedValue);
        counters.versionQueriesAnswered.incrementRelease();
        respond(view, found && !storedValue.isTombstone() ? Status.OK : Status.NOT_FOUND,
            found ? storedValue.version() : 0, view.buffer, 0, 0, null);
    }

    /**
     * A member's read of a dirty key, answered with the version the tail says is committed, which this member holds:
     * still the store's newest, the key's clean version, or a dirty version in the Sent list.
     */
    private void onVersionReply(final ClientResponseDecoder reply)
    {
        if (!ProtocolEnums.isKnown(reply))
        {
            // The waiting read is answered UNAVAILABLE when its query times out.
            counters.unknownEnumsDropped.incrementRelease();
            return;
        }
        final int slot = versionQueries.slotOf(reply.requestSeq());
        if (reply.clientId() != versionQueryClientId || slot < 0 || reply.clusterId() != clusterId ||
            reply.chainId() != chainId)
        {
            counters.staleMessagesDropped.incrementRelease();
            return;
        }
        final Status tailStatus = reply.status();
        final long committedVersion = reply.version();
        final long replyEpoch = reply.epoch();
        reply.skipValue();
        final String tailDetail = reply.detail();

        final DirectBuffer message = versionQueries.request(slot);
        final ClientRequestDecoder request = requestDecoder.wrapAndApplyHeader(message, 0, headerDecoder.wrap(message, 0));
        final RequestView view = requestView.wrap(message, request);
        try
        {
            if (replyEpoch != epoch || !isMember || (Status.OK != tailStatus && Status.NOT_FOUND != tailStatus))
            {
                counters.rejectedRequests.incrementRelease();
                respond(view, Status.UNAVAILABLE, 0, view.buffer, 0, 0, "node " + nodeId + " asked the tail which " +
                    "version of this key is committed and got " + tailStatus + " (" + tailDetail + "); retry");
                return;
            }

            final boolean found = store.read(view.buffer, view.keyOffset, view.keyLength, storedValue);
            if (found ? storedValue.version() == committedVersion || storedValue.version() <= lastCommitted :
                0 == committedVersion)
            {
                answerStored(view, found);
                return;
            }
            final DirtyVersions.DirtyKey entry = dirty.find(view.buffer, view.keyOffset, view.keyLength);
            if (null != entry && entry.isCleanKnown() && entry.cleanVersion() >= committedVersion)
            {
                // Acks may have moved the clean version past the tail's answer: that newer one was committed after
                // the tail answered, so after the read began, and is the newest committed at our commit point.
                answerClean(view, entry);
                return;
            }
            final int at = committedVersion > 0 ? sentList.messageOffsetOf(committedVersion) : -1;
            if (at >= 0)
            {
                final DirectBuffer sent = sentList.buffer();
                final UpdateDecoder update =
                    committedDecoder.wrapAndApplyHeader(sent, at, committedHeaderDecoder.wrap(sent, at));
                final UpdateKind kind = update.kind();
                update.skipKey();
                final int valueOffset = update.limit() + UpdateDecoder.valueHeaderLength();
                final int valueLength = update.valueLength();
                if (UpdateKind.PUT == kind || UpdateKind.DELETE == kind)
                {
                    counters.readsAnswered.incrementRelease();
                    respond(view, UpdateKind.PUT == kind ? Status.OK : Status.NOT_FOUND, committedVersion,
                        sent, valueOffset, UpdateKind.PUT == kind ? valueLength : 0, null);
                    return;
                }
            }
            // The version is no longer held here (it was replaced while the query was out): the tail answers.
            counters.rejectedRequests.incrementRelease();
            respond(view, Status.NOT_TAIL, 0, view.buffer, 0, 0, "node " + nodeId + " no longer holds version " +
                committedVersion + " of this key; read it at the tail, " + config.tail());
        }
        finally
        {
            versionQueries.release(slot);
        }
    }

    private int expireVersionQueries(final long nowNs)
    {
        int expired = 0;
        int slot;
        while ((slot = versionQueries.nextExpired(nowNs)) >= 0)
        {
            answerWaitingRead(slot, Status.UNAVAILABLE, "node " + nodeId + " got no answer from the tail to which " +
                "version of this key is committed; retry");
            expired++;
        }
        return expired;
    }

    private void refuseWaitingReads(final Status status, final String detail)
    {
        int slot;
        while ((slot = versionQueries.anyWaiting()) >= 0)
        {
            answerWaitingRead(slot, status, detail);
        }
    }

    private void answerWaitingRead(final int slot, final Status status, final String detail)
    {
        final DirectBuffer message = versionQueries.request(slot);
        final ClientRequestDecoder request = requestDecoder.wrapAndApplyHeader(message, 0, headerDecoder.wrap(message, 0));
        counters.rejectedRequests.incrementRelease();
        respond(requestView.wrap(message, request), status, 0, message, 0, 0, detail);
        versionQueries.release(slot);
    }

    /**
     * Sent-list records as acks trim them: each committed version of a dirty key becomes its clean version, and the key
     * is clean again once its newest dirty version is committed.
     */
    private void onVersionCommitted(final long seq, final int offset, final int length)
    {
        final DirectBuffer buffer = sentList.buffer();
        final UpdateDecoder update = committedDecoder.wrapAndApplyHeader(buffer, offset,
            committedHeaderDecoder.wrap(buffer, offset));
        final UpdateKind kind = update.kind();
        if (UpdateKind.PUT != kind && UpdateKind.DELETE != kind)
        {
            return;
        }
        final int keyOffset = update.limit() + UpdateDecoder.keyHeaderLength();
        final int keyLength = update.keyLength();
        final DirtyVersions.DirtyKey entry = dirty.find(buffer, keyOffset, keyLength);
        if (null == entry)
        {
            return;
        }
        if (seq >= entry.newestDirtySeq)
        {
            dirty.remove(entry);
        }
        else if (entry.isCleanKnown() && seq > entry.cleanVersion())
        {
            // Only forward: an old tail that now feeds its successor still holds updates older than a key's clean
            // version, and an unknown clean version stays unknown (the version it hides may be newer than any held).
            update.skipKey();
            final int valueOffset = update.limit() + UpdateDecoder.valueHeaderLength();
            final int valueLength = UpdateKind.PUT == kind ? update.valueLength() : 0;
            entry.clean(seq, UpdateKind.DELETE == kind, buffer, valueOffset, valueLength);
        }
    }

    /**
     * Applies a put or delete at a member that is not the tail, keeping the key's clean version if this write is the
     * first dirty one over it.
     */
    private void applyDirty(
        final UpdateKind kind,
        final DirectBuffer buffer,
        final RequestView view,
        final long seq)
    {
        DirtyVersions.DirtyKey entry = dirty.find(buffer, view.keyOffset, view.keyLength);
        if (null != entry && entry.newestDirtySeq <= lastCommitted)
        {
            // Left over from a trim that did not pass through onVersionCommitted; its clean version may be old.
            dirty.remove(entry);
            entry = null;
        }
        if (null != entry)
        {
            storeWrite(kind, buffer, view, seq, null);
            entry.newestDirtySeq = Math.max(entry.newestDirtySeq, seq);
            return;
        }

        final boolean existed = storeWrite(kind, buffer, view, seq, replacedValue);
        entry = dirty.add(buffer, view.keyOffset, view.keyLength);
        entry.newestDirtySeq = seq;
        if (!existed)
        {
            entry.clean(0, false, buffer, 0, 0);
        }
        else if (replacedValue.version() <= lastCommitted)
        {
            entry.clean(replacedValue.version(), replacedValue.isTombstone(), replacedValue.value(), 0,
                replacedValue.valueLength());
        }
        else
        {
            entry.cleanUnknown();
            entry.newestDirtySeq = Math.max(seq, replacedValue.version());
        }
    }

    private boolean storeWrite(
        final UpdateKind kind, final DirectBuffer buffer, final RequestView view, final long seq, final StoredValue replaced)
    {
        return UpdateKind.PUT == kind ?
            store.put(buffer, view.keyOffset, view.keyLength, seq, buffer, view.valueOffset, view.valueLength, replaced) :
            store.delete(buffer, view.keyOffset, view.keyLength, seq, replaced);
    }

    private void sequenceWrite(final RequestView view, final long expectedVersion)
    {
        final int seen = clients.lookup(view.clientId, view.requestSeq, clientResult);
        final int session = clientResult.session();
        if (session < 0)
        {
            // Whatever may refuse refuses here, before sequencing: applying the update can then not fail part-way
            // on any member (docs/design.md, invariant 11).
            if (!view.opensSession)
            {
                counters.rejectedRequests.incrementRelease();
                respond(view, Status.SESSION_EXPIRED, 0, view.buffer, 0, 0, "the session of client " +
                    Long.toHexString(view.clientId) + " has ended (silent for longer than the chain's client session " +
                    "timeout of " + TimeUnit.NANOSECONDS.toMillis(sessions.timeoutNs()) + " ms, or closed): whether " +
                    "its earlier writes were applied is unknown here. Nothing was applied; read the keys you wrote " +
                    "before writing them again, in a new session");
                return;
            }
            if (!clients.hasRoomForSession())
            {
                counters.rejectedRequests.incrementRelease();
                respond(view, Status.SESSIONS_FULL, 0, view.buffer, 0, 0, "the chain holds its maximum of " +
                    clients.maxSessions() + " client sessions (--max-client-sessions); nothing was applied. Retry " +
                    "later (idle sessions end after " + TimeUnit.NANOSECONDS.toMillis(sessions.timeoutNs()) +
                    " ms), close clients you no longer use, or raise the setting");
                return;
            }
            sequenceSeen(view, expectedVersion, seen);
            // The write opened the session if it was sequenced (a refusal, such as STORE_FULL, opens none).
            sessions.touch(clients.sessionOf(view.clientId), clock.nanoTime());
            return;
        }
        sessions.touch(session, clock.nanoTime());
        sequenceSeen(view, expectedVersion, seen);
    }

    private void sequenceSeen(final RequestView view, final long expectedVersion, final int seen)
    {
        if (ClientTable.DUPLICATE == seen)
        {
            // The outcome is already decided; let it reach the tail behind the original so the answer is
            // given only once the original is committed.
            appendUpdate(UpdateKind.DUPLICATE, ProtocolEnums.statusOf((short)(clientResult.status() & 0xFF)), clientResult.version(),
                view, false, false);
            return;
        }
        if (ClientTable.TOO_OLD == seen)
        {
            counters.rejectedRequests.incrementRelease();
            respond(view, Status.REQUEST_TOO_OLD, 0, view.buffer, 0, 0, "request " + view.requestSeq +
                " is older than this client's last " + ProtocolLimits.EXACTLY_ONCE_WINDOW +
                " requests; its outcome is no longer known");
            return;
        }

        if (OpType.PUT == view.op)
        {
            // A put needs no current version, and admission needs no map query while the store is far from full:
            // the head then makes one Chronicle query per put (the store itself), like every other member.
            if (store.hasRoomFor(view.buffer, view.keyOffset, view.keyLength, view.valueLength))
            {
                appendUpdate(UpdateKind.PUT, Status.OK, nextSeq, view, true, true);
            }
            else
            {
                rejectStoreFull(view);
            }
            return;
        }

        // One map query for the current version and the admission check (it was two: JFR, docs/performance.md).
        final long currentVersion = store.checkWrite(view.buffer, view.keyOffset, view.keyLength, view.valueLength);

        if (OpType.DELETE == view.op)
        {
            if (0 == currentVersion)
            {
                appendUpdate(UpdateKind.RESULT_ONLY, Status.NOT_FOUND, 0, view, true, false);
            }
            else
            {
                appendUpdate(UpdateKind.DELETE, Status.OK, nextSeq, view, true, false);
            }
        }
        else if (OpType.CAS == view.op && expectedVersion != currentVersion)
        {
            appendUpdate(UpdateKind.RESULT_ONLY, Status.VERSION_MISMATCH, currentVersion, view, true, false);
        }
        else if (!store.checkedWriteFits())
        {
            rejectStoreFull(view);
        }
        else
        {
            appendUpdate(UpdateKind.PUT, Status.OK, nextSeq, view, true, true);
        }
    }

    private void rejectStoreFull(final RequestView view)
    {
        counters.rejectedRequests.incrementRelease();
        respond(view, Status.STORE_FULL, 0, view.buffer, 0, 0,
            "the store is full (" + store.entryCount() + " of " + store.config().maxEntries() + " entries, " +
            store.dataBytes() + " of " + store.config().maxDataBytes() +
            " bytes); delete keys or grow the cluster's store capacity");
    }

    /**
     * Sequences an update for the request in {@code view}, applies it here and queues it for the successor.
     */
    private void appendUpdate(
        final UpdateKind kind,
        final Status status,
        final long resultVersion,
        final RequestView view,
        final boolean withKey,
        final boolean withValue)
    {
        final long seq = nextSeq++;
        final int keyLength = withKey ? view.keyLength : 0;
        final int valueLength = withValue ? view.valueLength : 0;
        final int maxLength = MessageHeaderEncoder.ENCODED_LENGTH + UpdateEncoder.BLOCK_LENGTH +
            UpdateEncoder.keyHeaderLength() + keyLength + UpdateEncoder.valueHeaderLength() + valueLength +
            UpdateEncoder.replyChannelHeaderLength() + view.channelLength;
        final int at = sentList.beginAppend(maxLength);
        final MutableDirectBuffer out = sentList.buffer();

        updateEncoder.wrapAndApplyHeader(out, at, headerEncoder)
            .clusterId(clusterId)
            .chainId(chainId)
            .replyStreamId(view.replyStreamId)
            .epoch(epoch)
            .seq(seq)
            .prevSeq(lastApplied)
            .clientId(view.clientId)
            .requestSeq(view.requestSeq)
            .resultVersion(resultVersion)
            .kind(kind)
            .op(view.op)
            .status(status)
            .putKey(view.buffer, view.keyOffset, keyLength)
            .putValue(view.buffer, view.valueOffset, valueLength)
            .putReplyChannel(view.buffer, view.channelOffset, view.channelLength);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + updateEncoder.encodedLength();
        sentList.commitAppend(seq, length);
        counters.commitLatency.sequenced(seq, clock.nanoTime());

        apply(out, at);
        if (isTail && !feedingJoiner)
        {
            sentList.trimTo(seq);
        }
    }

    private void onReplicationMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        switch (headerDecoder.templateId())
        {
            case UpdateDecoder.TEMPLATE_ID:
                onUpdate(buffer, offset, length);
                break;

            case SyncPointDecoder.TEMPLATE_ID:
                final SyncPointDecoder syncPoint = syncPointDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (isCurrent(syncPoint.clusterId(), syncPoint.chainId(), syncPoint.epoch()) && isMember)
                {
                    syncSeq = syncPoint.seq();
                }
                break;

            case TransferBeginDecoder.TEMPLATE_ID:
            case TransferBatchDecoder.TEMPLATE_ID:
            case TransferClientsDecoder.TEMPLATE_ID:
            case TransferEndDecoder.TEMPLATE_ID:
                onTransferMessage(buffer, offset, length);
                break;

            case TransferAbortDecoder.TEMPLATE_ID:
                onTransferAbort(transferAbortDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder));
                break;

            default:
                unexpectedMessages++;
                break;
        }
    }

    private void onUpdate(final DirectBuffer buffer, final int offset, final int length)
    {
        final UpdateDecoder update = updateDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        if (!isCurrent(update.clusterId(), update.chainId(), update.epoch()) || isHead ||
            !(isMember || (isJoiner && receiver.acceptsUpdates())))
        {
            counters.staleMessagesDropped.incrementRelease();
            return;
        }
        if (!ProtocolEnums.isKnown(update))
        {
            // Not applied, so never in the Sent list either: everything past this point reads known values only. The
            // chain stalls on it (each resend brings it again) rather than let members disagree (invariant 11).
            counters.unknownEnumsDropped.incrementRelease();
            return;
        }

        final long seq = update.seq();
        if (seq <= lastApplied)
        {
            return;
        }
        if (update.prevSeq() != lastApplied)
        {
            resendRequestDue = true;
            return;
        }
        if (isJoiner && !joinerHasRoomFor(buffer, update, seq))
        {
            return;
        }

        apply(buffer, offset);
        if (missingUpdates)
        {
            // The gap is filled (an update applies only in sequence): this member holds what it lacked.
            missingUpdates = false;
            report.needsTransferEpoch(0);
            recordMemberHistory(config);
            LOG.info("node={} epoch={} received the updates it lacked (applied seq {}); serving reads again", nodeId,
                epoch, seq);
        }
        if (isJoiner)
        {
            lastUpstreamActivityNs = clock.nanoTime();
            if (receiver.isCaughtUp() || receiver.checkCaughtUp(lastApplied, clock.nanoTime()))
            {
                onJoinerCaughtUp();
            }
        }
        else if (!isTail || feedingJoiner)
        {
            sentList.append(seq, buffer, offset, length);
        }
    }

    /**
     * A joiner's store may be too small for the chain's data; the receiver then stops the transfer for good (one
     * ERROR, a counter) instead of letting the store throw here and the update be asked for again forever.
     */
    private boolean joinerHasRoomFor(final DirectBuffer buffer, final UpdateDecoder update, final long seq)
    {
        final RequestView view = updateView.wrap(buffer, update);
        if (receiver.hasRoomForUpdate(update.kind(), buffer, view.keyOffset, view.keyLength, view.valueLength, seq))
        {
            return true;
        }
        // Caught up or not, it can no longer follow the chain: the master must not make it the tail.
        report.caughtUpEpoch(0);
        return false;
    }

    private void onTransferMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!isJoiner)
        {
            counters.staleMessagesDropped.incrementRelease();
            return;
        }

        switch (headerDecoder.templateId())
        {
            case TransferBeginDecoder.TEMPLATE_ID:
                final TransferBeginDecoder begin = transferBeginDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (!isCurrentTransfer(begin.clusterId(), begin.chainId(), begin.epoch()))
                {
                    return;
                }
                final long startSeq = receiver.onBegin(begin);
                if (startSeq >= 0)
                {
                    // The live stream continues from the tail's position; what we held is replaced or confirmed by
                    // the entries that follow.
                    lastApplied = startSeq;
                    store.lastAppliedSeq(startSeq);
                    lastCommitted = store.lastCommittedSeq();
                    resendRequestDue = false;
                    publishSeqCounters();
                }
                break;

            case TransferBatchDecoder.TEMPLATE_ID:
                final TransferBatchDecoder batch = transferBatchDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (isCurrentTransfer(batch.clusterId(), batch.chainId(), batch.epoch()))
                {
                    receiver.onBatch(batch, length);
                }
                break;

            case TransferClientsDecoder.TEMPLATE_ID:
                final TransferClientsDecoder slots =
                    transferClientsDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (isCurrentTransfer(slots.clusterId(), slots.chainId(), slots.epoch()))
                {
                    if (hasUnknownStatus(slots))
                    {
                        // A head would one day answer a retry with that status; no tail of this schema sends one.
                        counters.unknownEnumsDropped.incrementRelease();
                        break;
                    }
                    receiver.onClients(transferClientsDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder), length);
                }
                break;

            default:
                final TransferEndDecoder end = transferEndDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (isCurrentTransfer(end.clusterId(), end.chainId(), end.epoch()))
                {
                    receiver.onEnd(end);
                    if (receiver.checkCaughtUp(lastApplied, clock.nanoTime()))
                    {
                        onJoinerCaughtUp();
                    }
                }
                break;
        }
    }

    private static boolean hasUnknownStatus(final TransferClientsDecoder batch)
    {
        for (final TransferClientsDecoder.SlotsDecoder slot : batch.slots())
        {
            if (Status.NULL_VAL == ProtocolEnums.statusOf(slot.status()))
            {
                return true;
            }
        }
        return false;
    }

    private boolean isCurrentTransfer(final long clusterId, final int chainId, final long epoch)
    {
        if (isCurrent(clusterId, chainId, epoch))
        {
            lastUpstreamActivityNs = clock.nanoTime();
            return true;
        }
        counters.staleMessagesDropped.incrementRelease();
        return false;
    }

    /**
     * The store now equals the tail's committed state at {@link #lastApplied}: everything the tail forwards is
     * committed, so the joiner's committed point follows its applied point from here on.
     */
    private void onJoinerCaughtUp()
    {
        if (lastApplied > lastCommitted)
        {
            commitThrough(lastApplied);
        }
        if (report.caughtUpEpoch() != epoch && claimDelayedEpoch != epoch)
        {
            if (FaultHooks.JOINER_CLAIM_DELAY_NS > 0 && !claimDelayUsed)
            {
                claimDelayUsed = true;
                claimDelayedEpoch = epoch;
                claimDueNs = clock.nanoTime() + FaultHooks.JOINER_CLAIM_DELAY_NS;
                LOG.warn("node={} epoch={} test hook: publishing the caught-up claim {} ms late", nodeId, epoch,
                    TimeUnit.NANOSECONDS.toMillis(FaultHooks.JOINER_CLAIM_DELAY_NS));
            }
            else
            {
                report.caughtUpEpoch(epoch);
            }
            if (FaultHooks.JOINER_HOLD_AFTER_CAUGHT_UP_NS > 0 && !joinerHoldUsed)
            {
                joinerHoldUsed = true;
                joinerHoldUntilNs = clock.nanoTime() + FaultHooks.JOINER_HOLD_AFTER_CAUGHT_UP_NS;
                LOG.warn("node={} epoch={} test hook: holding back from upstream for {} ms after catching up", nodeId,
                    epoch, TimeUnit.NANOSECONDS.toMillis(FaultHooks.JOINER_HOLD_AFTER_CAUGHT_UP_NS));
            }
        }
    }

    private boolean holdingUpstream(final long nowNs)
    {
        return joinerHoldUsed && joinerHoldUntilNs - nowNs > 0;
    }

    /**
     * Starts (or restarts) this joiner's transfer: whatever it claimed before no longer holds.
     */
    private void startJoinAttempt()
    {
        report.caughtUpEpoch(0);
        claimDelayedEpoch = 0;
        receiver.newAttempt(clock.nanoTime());
        nextJoinRequestNs = 0;
    }

    /**
     * The node upstream cannot give us what we lack. A joiner withdraws its claim to have caught up and transfers again;
     * a member answers no reads (it lacks acknowledged writes) and reports that it needs a new transfer, so the master
     * takes it out of the chain and it rejoins (docs/healing.md).
     */
    private void onTransferAbort(final TransferAbortDecoder abort)
    {
        if (!isCurrent(abort.clusterId(), abort.chainId(), abort.epoch()))
        {
            counters.staleMessagesDropped.incrementRelease();
            return;
        }
        counters.transfer().onTransferAborted();
        if (isJoiner)
        {
            if (abort.transferId() == receiver.transferId() && SnapshotReceiver.State.REQUESTING != receiver.state())
            {
                LOG.warn("node={} epoch={} the tail stopped transfer {} (it holds updates only after seq {}, this " +
                    "joiner applied up to {}); withdrawing its claim to have caught up and asking again", nodeId, epoch,
                    abort.transferId(), abort.heldAfterSeq(), lastApplied);
                startJoinAttempt();
            }
            return;
        }
        if (isMember && !isHead && report.needsTransferEpoch() != epoch)
        {
            missingUpdates = true;
            report.needsTransferEpoch(epoch);
            store.memberEpoch(0);
            LOG.warn("node={} epoch={} its predecessor no longer holds the updates after seq {} that this member lacks " +
                "(it holds only those after {}); it answers no reads and asks to be taken out of the chain to transfer " +
                "again", nodeId, epoch, lastApplied, abort.heldAfterSeq());
        }
    }

    private int joinerDuties(final long nowNs)
    {
        if (null == upstreamFeedback)
        {
            return 0;
        }
        if (claimDelayedEpoch == epoch && receiver.isCaughtUp() && nowNs - claimDueNs >= 0)
        {
            claimDelayedEpoch = 0;
            report.caughtUpEpoch(epoch);
        }
        final SnapshotReceiver.State state = receiver.state();
        if ((SnapshotReceiver.State.STREAMING == state || SnapshotReceiver.State.ENDED == state) &&
            nowNs - lastUpstreamActivityNs > TRANSFER_STALL_TIMEOUT_NS)
        {
            // A gap the tail could not fill (it cut us off, or restarted): start over.
            LOG.info("node={} epoch={} transfer {} stalled; asking the tail again", nodeId, epoch, receiver.transferId());
            startJoinAttempt();
        }
        if (SnapshotReceiver.State.REQUESTING == receiver.state() && nowNs >= nextJoinRequestNs)
        {
            final int length = receiver.encodeJoinRequest(joinRequestBuffer, clusterId, chainId, epoch);
            if (sender.send(upstreamFeedback, joinRequestBuffer, 0, length, receiver.transferId()) > 0)
            {
                nextJoinRequestNs = nowNs + JOIN_REQUEST_INTERVAL_NS;
                return 1;
            }
        }
        return 0;
    }

    /**
     * @return what this node's data path reports through its registration (a joiner's caught-up epoch, a proven handoff,
     * a member's need for a new transfer, a store too small for the chain); read by the membership thread.
     */
    public MembershipReport membershipReport()
    {
        return report;
    }

    /**
     * @return this agent's sign of life, stamped every duty cycle; watched by the membership's lease keeper.
     */
    public DutyCycleHeartbeat heartbeat()
    {
        return heartbeat;
    }

    /**
     * Applies one update to the store and the exactly-once table; at the tail, answers the client too.
     */
    private void apply(final DirectBuffer buffer, final int offset)
    {
        final UpdateDecoder update = updateDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder.wrap(buffer, offset));
        final long seq = update.seq();
        final UpdateKind kind = update.kind();
        final Status status = update.status();
        final long resultVersion = update.resultVersion();
        final RequestView view = updateView.wrap(buffer, update);

        if (UpdateKind.PUT == kind || UpdateKind.DELETE == kind)
        {
            if (isMember && !isTail && seq > lastCommitted)
            {
                applyDirty(kind, buffer, view, seq);
            }
            else
            {
                storeWrite(kind, buffer, view, seq, null);
            }
        }
        if (UpdateKind.SESSION_END == kind)
        {
            endSession(view.clientId);
        }
        else if (UpdateKind.DUPLICATE != kind)
        {
            clients.record(view.clientId, view.requestSeq, (byte)status.value(), resultVersion);
        }

        lastApplied = seq;
        store.lastAppliedSeq(seq);
        counters.updatesApplied.incrementRelease();
        counters.lastAppliedSeq.setRelease(seq);

        if (isTail)
        {
            lastCommitted = seq;
            store.lastCommittedSeq(seq);
            counters.lastCommittedSeq.setRelease(seq);
            counters.commitLatency.committed(seq, clock.nanoTime());
            if (UpdateKind.SESSION_END != kind)
            {
                respond(view, status, resultVersion, buffer, 0, 0, null);
            }
        }
    }

    /**
     * A session ended (expired or closed) at this seq: its slots go, and so does its reply publication here, so a
     * departed client's transport resources live no longer than its session.
     */
    private void endSession(final long clientId)
    {
        clients.endSession(clientId);
        if (feedingJoiner)
        {
            streamer.onSessionEnded(clientId);
        }
        replies.release(clientId);
    }

    /**
     * Answers the client of an update held in the Sent list; used when this node becomes the tail.
     */
    private void replyForRecord(final long seq, final int offset, final int length)
    {
        final DirectBuffer buffer = sentList.buffer();
        final UpdateDecoder update = updateDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder.wrap(buffer, offset));
        if (UpdateKind.SESSION_END == update.kind())
        {
            return;
        }
        final Status status = update.status();
        final long resultVersion = update.resultVersion();
        respond(updateView.wrap(buffer, update), status, resultVersion, buffer, 0, 0, null);
    }

    private void onFeedbackMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        if (AckDecoder.TEMPLATE_ID == templateId)
        {
            final AckDecoder ack = ackDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            if (isCurrent(ack.clusterId(), ack.chainId(), ack.epoch()) && isTail && isMember && !feedingJoiner &&
                null != config.joiner() && ack.committedSeq() > 0)
            {
                // The joiner acks a transfer this tail no longer runs (it stopped feeding it): tell it, or it keeps its
                // claim to have caught up and the master may promote a joiner that misses what was trimmed.
                abortTransfer(lastStreamedTransferId, lastApplied);
                counters.staleMessagesDropped.incrementRelease();
                return;
            }
            if (!isCurrent(ack.clusterId(), ack.chainId(), ack.epoch()) || (isTail && !feedingJoiner) || !isMember)
            {
                counters.staleMessagesDropped.incrementRelease();
                return;
            }
            if (isTail)
            {
                // From the joiner: what it has applied needs no resending. Our own commit point is our applied one.
                sentList.trimTo(Math.min(ack.committedSeq(), lastApplied));
                return;
            }
            // commitThrough trims even when our commit point is already past the ack: an old tail that now feeds
            // a promoted joiner knew its updates committed before the joiner acked them.
            commitThrough(Math.min(ack.committedSeq(), lastApplied));
            checkHandoff(ack.committedSeq());
        }
        else if (ResendRequestDecoder.TEMPLATE_ID == templateId)
        {
            final ResendRequestDecoder resend = resendDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            if (!isCurrent(resend.clusterId(), resend.chainId(), resend.epoch()) || (isTail && !feedingJoiner) ||
                !isMember)
            {
                counters.staleMessagesDropped.incrementRelease();
                return;
            }
            final long successorApplied = resend.lastAppliedSeq();
            if (isTail && feedingJoiner && successorApplied < streamer.startSeq())
            {
                // The joiner sent this before the transfer's begin reached it, from its older position: the
                // transfer brings everything up to startSeq and the live stream follows. Ending the transfer for it
                // would leave a joiner that completes the transfer anyway, is promoted, and lacks the updates after
                // startSeq that this tail, no longer feeding it, trimmed (found by scripts/fault-run.sh seed 12).
                counters.staleMessagesDropped.incrementRelease();
                return;
            }
            counters.resendRequestsReceived.incrementRelease();
            if (!sentList.rewindToAfter(successorApplied))
            {
                if (isTail)
                {
                    LOG.info("node={} epoch={} joiner asks for updates after seq {}, no longer held; its transfer " +
                        "stops and it starts again", nodeId, epoch, successorApplied);
                    stopFeedingJoiner();
                }
                else
                {
                    // Repaired, not just logged: the successor learns it must transfer again and reports it, and the
                    // master takes it out of the chain (it rejoins as a joiner). It asks again until then: log once.
                    if (abortLoggedEpoch != epoch)
                    {
                        abortLoggedEpoch = epoch;
                        LOG.warn("node={} epoch={} successor asks for updates after seq {} but they were acknowledged " +
                            "and trimmed; telling it to transfer again", nodeId, epoch, successorApplied);
                    }
                    abortTransfer(0, lastCommitted);
                }
            }
            // A successor that just became tail serves reads once it has what we have (see SyncPoint).
            syncPointDue = !isTail;
        }
        else if (JoinRequestDecoder.TEMPLATE_ID == templateId)
        {
            onJoinRequest(joinRequestDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder));
        }
        else if (ClientResponseDecoder.TEMPLATE_ID == templateId)
        {
            onVersionReply(versionReplyDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder));
        }
        else
        {
            unexpectedMessages++;
        }
    }

    private void onJoinRequest(final JoinRequestDecoder request)
    {
        if (!isCurrent(request.clusterId(), request.chainId(), request.epoch()) || !isTail || !isMember ||
            null == config.joiner() || null == downstream)
        {
            counters.staleMessagesDropped.incrementRelease();
            return;
        }
        if (streamer.transferId() == request.transferId() && (feedingJoiner || streamer.isStreaming()))
        {
            return;
        }
        final long sinceSeq = request.sinceSeq();
        final int keysLength = request.suspectKeysLength();
        final int keysOffset = request.limit() + JoinRequestDecoder.suspectKeysHeaderLength();
        // Everything applied so far reaches the joiner through the snapshot; only later updates are forwarded.
        sentList.trimTo(lastApplied);
        final boolean full = streamer.begin(clusterId, chainId, epoch, request.transferId(), sinceSeq,
            request.buffer(), keysOffset, keysLength, lastApplied);
        feedingJoiner = true;
        lastStreamedTransferId = request.transferId();
        LOG.info("node={} epoch={} streaming a {} transfer to joiner {} (it holds up to seq {}; live updates after {})",
            nodeId, epoch, full ? "full" : "delta", config.joiner(), sinceSeq, lastApplied);
    }

    private void stopFeedingJoiner()
    {
        // The joiner must hear it: a caught-up joiner that is not told keeps its claim and may be promoted.
        abortTransfer(streamer.transferId(), lastApplied);
        streamer.reset();
        feedingJoiner = false;
        sentList.trimTo(lastApplied);
    }

    private void abortTransfer(final long transferId, final long heldAfterSeq)
    {
        transferAbortDue = true;
        transferAbortId = transferId;
        transferAbortHeldAfter = heldAfterSeq;
    }

    private int sendTransferAbort()
    {
        if (!transferAbortDue)
        {
            return 0;
        }
        if (null == downstream)
        {
            transferAbortDue = false;
            return 0;
        }
        transferAbortEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .clusterId(clusterId)
            .chainId(chainId)
            .epoch(epoch)
            .transferId(transferAbortId)
            .heldAfterSeq(transferAbortHeldAfter);
        if (sender.offer(downstream, controlBuffer, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + transferAbortEncoder.encodedLength()) > 0)
        {
            transferAbortDue = false;
            counters.transfer().onTransferAbortSent();
            return 1;
        }
        return 0;
    }

    private boolean isCurrent(final long clusterId, final int chainId, final long epoch)
    {
        return clusterId == this.clusterId && chainId == this.chainId && epoch == this.epoch;
    }

    private int forward()
    {
        if (null == downstream || (feedingJoiner && streamer.isBeginPending()))
        {
            return 0;
        }

        int sent = 0;
        final MutableDirectBuffer buffer = sentList.buffer();
        while (sent < FORWARD_LIMIT && sentList.hasUnsent())
        {
            final int offset = sentList.unsentMessageOffset();
            final int length = sentList.unsentMessageLength();
            // Updates kept from an earlier epoch go out stamped with the current one.
            buffer.putLong(offset + MessageHeaderEncoder.ENCODED_LENGTH + UpdateEncoder.epochEncodingOffset(),
                epoch, UpdateEncoder.BYTE_ORDER);
            if (sender.send(downstream, buffer, offset, length, sentList.unsentSeq()) < 0)
            {
                break;
            }
            sentList.advanceSendCursor();
            sent++;
        }
        return sent;
    }

    private int sendFeedback(final long nowNs)
    {
        if (null == upstreamFeedback)
        {
            return 0;
        }

        int work = 0;
        if (resendRequestDue && nowNs - lastResendRequestNs >= RESEND_REQUEST_INTERVAL_NS)
        {
            resendEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
                .clusterId(clusterId)
                .chainId(chainId)
                .epoch(epoch)
                .lastAppliedSeq(lastApplied);
            if (sender.offer(upstreamFeedback, controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + resendEncoder.encodedLength()) > 0)
            {
                resendRequestDue = false;
                lastResendRequestNs = nowNs;
                counters.resendRequestsSent.incrementRelease();
                work++;
            }
        }

        // A joiner acks what it applied, so the tail can drop it from its Sent list; it commits nothing.
        final long ackSeq = isJoiner ? (receiver.acceptsUpdates() ? lastApplied : 0) : lastCommitted;
        if (ackSeq > lastAckSent || (ackRefreshDue && ackSeq > 0))
        {
            ackEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
                .clusterId(clusterId)
                .chainId(chainId)
                .epoch(epoch)
                .committedSeq(ackSeq);
            if (sender.offer(upstreamFeedback, controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength()) > 0)
            {
                lastAckSent = ackSeq;
                ackRefreshDue = false;
                work++;
            }
        }
        return work;
    }

    private int sendSyncPoint()
    {
        if (!syncPointDue || null == downstream)
        {
            return 0;
        }
        syncPointEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .clusterId(clusterId)
            .chainId(chainId)
            .epoch(epoch)
            .seq(lastApplied);
        if (sender.offer(downstream, controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + syncPointEncoder.encodedLength()) > 0)
        {
            syncPointDue = false;
            return 1;
        }
        return 0;
    }

    private void respond(
        final RequestView view,
        final Status status,
        final long version,
        final DirectBuffer valueBuffer,
        final int valueOffset,
        final int valueLength,
        final String detail)
    {
        responseBuffer.checkLimit(MessageHeaderEncoder.ENCODED_LENGTH + ClientResponseEncoder.BLOCK_LENGTH +
            ClientResponseEncoder.valueHeaderLength() + valueLength + ClientResponseEncoder.detailHeaderLength() +
            (null == detail ? 0 : detail.length()));
        responseEncoder.wrapAndApplyHeader(responseBuffer, 0, headerEncoder)
            .clusterId(clusterId)
            .chainId(chainId)
            .epoch(epoch)
            .clientId(view.clientId)
            .requestSeq(view.requestSeq)
            .version(version)
            .op(OpType.NULL_VAL == view.op ? OpType.GET : view.op)
            .status(status)
            .putValue(valueBuffer, valueOffset, valueLength);
        if (null == detail)
        {
            responseEncoder.putDetail(valueBuffer, 0, 0);
        }
        else
        {
            responseEncoder.detail(detail);
        }
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength();
        counters.requests.record(OpType.NULL_VAL == view.op ? OpType.GET : view.op, status);
        replies.send(view.clientId, view.buffer, view.channelOffset, view.channelLength, view.replyStreamId,
            responseBuffer, 0, length, view.requestSeq, clock.nanoTime());
    }

    private boolean syncReached()
    {
        if (lastApplied >= syncSeq)
        {
            readsAwaitSync = false;
            LOG.info("node={} epoch={} holds everything its predecessor had (seq {}); serving reads", nodeId, epoch,
                syncSeq);
            return true;
        }
        return false;
    }

    private void housekeeping(final long nowNs)
    {
        if (feedingJoiner && sentList.bytes() > joinerBacklogMaxBytes)
        {
            LOG.warn("node={} epoch={} joiner {} is {} bytes behind; its transfer stops and it starts again", nodeId,
                epoch, config.joiner(), sentList.bytes());
            stopFeedingJoiner();
        }
        if (isHead && isMember && leased)
        {
            expireSessions(nowNs);
        }
        if (isMember)
        {
            // A delta being streamed pins collection at the joiner's seq; a full one needs no pin, as its end
            // carries the horizon (docs/healing.md, "Tombstones and their collection").
            tombstones.doWork(nowNs, lastCommitted, streamer.horizonLimit());
        }
        if (!report.cannotHoldChainData() && counters.transfer().transfersStoppedNoRoom() > 0)
        {
            report.cannotHoldChainData(true);
        }
        if (readsAwaitSync && Long.MAX_VALUE == syncSeq)
        {
            // Our first resend request may have reached the predecessor before it took the new epoch; ask again
            // until its SyncPoint arrives.
            resendRequestDue = true;
        }
        // Acks are cumulative and cheap; repeating the latest now and then repairs one lost in a reconfiguration.
        ackRefreshDue = true;
        replies.closeIdle(nowNs);
        counters.malformedFrames.setRelease(unexpectedMessages + clientAssembler.malformedCount() +
            replicationAssembler.malformedCount() + feedbackAssembler.malformedCount());
        counters.chunkedMessagesRefused.setRelease(clientAssembler.partialsRefused() +
            replicationAssembler.partialsRefused() + feedbackAssembler.partialsRefused());
        counters.unauthenticatedFrames.setRelease(unauthenticatedFrames + clientAssembler.unauthenticatedCount() +
            replicationAssembler.unauthenticatedCount() + feedbackAssembler.unauthenticatedCount());
        counters.sentListSize.setRelease(sentList.size());
        counters.repliesDropped.setRelease(replies.droppedCount());
        counters.storeEntries.setRelease(store.entryCount());
        counters.storeDataBytes.setRelease(store.dataBytes());
        counters.activeSessions.setRelease(clients.sessionCount());
        counters.sessionCapacity.setRelease(clients.maxSessions());
        counters.replyPublications.setRelease(replies.routeCount());
        counters.heartbeatNs.setRelease(nowNs);
    }

    private void publishSeqCounters()
    {
        counters.lastAppliedSeq.setRelease(lastApplied);
        counters.lastCommittedSeq.setRelease(lastCommitted);
    }

    /**
     * @return last applied seq (for tests running the agent in-process; read from the agent's thread only).
     */
    long lastApplied()
    {
        return lastApplied;
    }
}
