package io.chainkv.node.replication;

import io.aeron.Aeron;
import io.chainkv.metrics.LatencyHistogram;
import io.chainkv.node.transfer.TransferCounters;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The node's counters, kept in the media driver's counters file so tools like AeronStat can read them from
 * outside the process, and the metrics endpoint from its own thread, without locks. The replication agent is
 * the only writer of each; it also counts answers by operation and status ({@link #requests()}) and write
 * commit latency ({@link #commitLatency()}), both single-writer structures read at scrape time.
 */
public final class NodeCounters implements AutoCloseable
{
    /** Aeron counter type id of every ChainKV node counter. */
    public static final int NODE_COUNTER_TYPE_ID = 7301;

    final AtomicCounter clientRequests;
    final AtomicCounter updatesApplied;
    final AtomicCounter malformedFrames;
    final AtomicCounter unauthenticatedFrames;
    final AtomicCounter chunkedMessagesRefused;
    final AtomicCounter staleMessagesDropped;
    final AtomicCounter unknownEnumsDropped;
    final AtomicCounter replyChannelsRefused;
    final AtomicCounter repliesDropped;
    final AtomicCounter resendRequestsSent;
    final AtomicCounter resendRequestsReceived;
    final AtomicCounter lastAppliedSeq;
    final AtomicCounter lastCommittedSeq;
    final AtomicCounter sentListSize;
    final AtomicCounter rejectedRequests;
    final AtomicCounter epoch;
    final AtomicCounter role;
    final AtomicCounter storeEntries;
    final AtomicCounter storeDataBytes;
    final AtomicCounter heartbeatNs;
    final AtomicCounter reconfigurations;
    final AtomicCounter readsAnswered;
    final AtomicCounter versionQueriesSent;
    final AtomicCounter versionQueriesAnswered;
    final AtomicCounter activeSessions;
    final AtomicCounter sessionCapacity;
    final AtomicCounter sessionsExpired;
    final AtomicCounter replyPublications;
    final RequestCounts requests = new RequestCounts();
    final CommitLatency commitLatency = new CommitLatency(new LatencyHistogram("chainkv_node_commit_latency_seconds",
        "Write commit latency seen at the head: sequenced to acknowledged by the tail."));
    final TransferCounters transfer;

    /**
     * @param aeron  client whose driver holds the counters.
     * @param nodeId labels the counters.
     */
    public NodeCounters(final Aeron aeron, final String nodeId)
    {
        clientRequests = add(aeron, nodeId, "client requests");
        updatesApplied = add(aeron, nodeId, "updates applied");
        malformedFrames = add(aeron, nodeId, "malformed frames dropped");
        unauthenticatedFrames = add(aeron, nodeId, "unauthenticated frames dropped");
        chunkedMessagesRefused = add(aeron, nodeId, "chunked messages refused (budget)");
        staleMessagesDropped = add(aeron, nodeId, "messages of another cluster/chain/epoch dropped");
        unknownEnumsDropped = add(aeron, nodeId, "frames with unknown enum values dropped");
        replyChannelsRefused = add(aeron, nodeId, "requests with a refused reply channel dropped");
        repliesDropped = add(aeron, nodeId, "replies dropped");
        resendRequestsSent = add(aeron, nodeId, "resend requests sent");
        resendRequestsReceived = add(aeron, nodeId, "resend requests received");
        lastAppliedSeq = add(aeron, nodeId, "last applied seq");
        lastCommittedSeq = add(aeron, nodeId, "last committed seq");
        sentListSize = add(aeron, nodeId, "sent list size");
        rejectedRequests = add(aeron, nodeId, "client requests refused");
        transfer = new TransferCounters(name -> add(aeron, nodeId, name));
        epoch = add(aeron, nodeId, "epoch");
        role = add(aeron, nodeId, "role");
        storeEntries = add(aeron, nodeId, "store entries");
        storeDataBytes = add(aeron, nodeId, "store data bytes");
        heartbeatNs = add(aeron, nodeId, "agent heartbeat ns");
        reconfigurations = add(aeron, nodeId, "reconfigurations");
        readsAnswered = add(aeron, nodeId, "reads answered");
        versionQueriesSent = add(aeron, nodeId, "version queries sent");
        versionQueriesAnswered = add(aeron, nodeId, "version queries answered");
        activeSessions = add(aeron, nodeId, "active sessions");
        sessionCapacity = add(aeron, nodeId, "session capacity");
        sessionsExpired = add(aeron, nodeId, "sessions expired by this head");
        replyPublications = add(aeron, nodeId, "reply publications");
        role.setRelease(Role.SPARE.ordinal());
    }

    /**
     * A node's place in its chain, as the {@code role} counter holds it (the ordinal).
     */
    public enum Role
    {
        SPARE, HEAD, MIDDLE, TAIL, HEAD_TAIL, JOINER;

        /**
         * @param name a name {@link ReplicationAgent#roleIn} returns.
         * @return the role.
         */
        static Role of(final String name)
        {
            return valueOf(name);
        }
    }

    private static AtomicCounter add(final Aeron aeron, final String nodeId, final String name)
    {
        return aeron.addCounter(NODE_COUNTER_TYPE_ID, "chainkv node " + nodeId + ": " + name);
    }

    public long clientRequests()
    {
        return clientRequests.get();
    }

    public long updatesApplied()
    {
        return updatesApplied.get();
    }

    public long malformedFrames()
    {
        return malformedFrames.get();
    }

    /**
     * @return frames dropped unread because they carried no valid MAC under a key their stream accepts.
     */
    public long unauthenticatedFrames()
    {
        return unauthenticatedFrames.get();
    }

    /**
     * @return chunked messages refused because the bytes of incomplete ones were at the budget (--max-chunked-bytes).
     */
    public long chunkedMessagesRefused()
    {
        return chunkedMessagesRefused.get();
    }

    public long staleMessagesDropped()
    {
        return staleMessagesDropped.get();
    }

    /**
     * @return frames carrying an enum value the schema does not know (an operation, read mode, status or update kind):
     * node-to-node frames dropped, client requests answered MALFORMED.
     */
    public long unknownEnumsDropped()
    {
        return unknownEnumsDropped.get();
    }

    /**
     * @return client requests dropped unanswered because their reply channel is not one a node may publish to.
     */
    public long replyChannelsRefused()
    {
        return replyChannelsRefused.get();
    }

    public long lastAppliedSeq()
    {
        return lastAppliedSeq.get();
    }

    public long lastCommittedSeq()
    {
        return lastCommittedSeq.get();
    }

    public long rejectedRequests()
    {
        return rejectedRequests.get();
    }

    public long repliesDropped()
    {
        return repliesDropped.get();
    }

    /**
     * @return client reads this node answered with a value or NOT_FOUND (any member answers reads under CRAQ).
     */
    public long readsAnswered()
    {
        return readsAnswered.get();
    }

    /**
     * @return reads of a dirty key for which this member asked the tail which version is committed.
     */
    public long versionQueriesSent()
    {
        return versionQueriesSent.get();
    }

    /**
     * @return version queries this node answered as tail.
     */
    public long versionQueriesAnswered()
    {
        return versionQueriesAnswered.get();
    }

    public long resendRequestsSent()
    {
        return resendRequestsSent.get();
    }

    public long resendRequestsReceived()
    {
        return resendRequestsReceived.get();
    }

    /**
     * @return updates in the Sent list (forwarded, not yet acknowledged by the tail); refreshed every 100 ms.
     */
    public long sentListSize()
    {
        return sentListSize.get();
    }

    /**
     * @return the epoch of the configuration the agent serves (0 before the first).
     */
    public long epoch()
    {
        return epoch.get();
    }

    /**
     * @return the node's role in the configuration it serves.
     */
    public Role role()
    {
        return Role.values()[(int)role.get()];
    }

    /**
     * @return keys in the store, tombstones included; refreshed every 100 ms.
     */
    public long storeEntries()
    {
        return storeEntries.get();
    }

    /**
     * @return key and value bytes in the store; refreshed every 100 ms.
     */
    public long storeDataBytes()
    {
        return storeDataBytes.get();
    }

    /**
     * @return client sessions in the exactly-once table; refreshed every 100 ms.
     */
    public long activeSessions()
    {
        return activeSessions.get();
    }

    /**
     * @return client sessions the head admits ({@code --max-client-sessions}).
     */
    public long sessionCapacity()
    {
        return sessionCapacity.get();
    }

    /**
     * @return sessions this node, as head, ended because they were silent for longer than the session timeout.
     */
    public long sessionsExpired()
    {
        return sessionsExpired.get();
    }

    /**
     * @return open reply publications to clients; refreshed every 100 ms.
     */
    public long replyPublications()
    {
        return replyPublications.get();
    }

    /**
     * @return {@link System#nanoTime()} of the agent's last housekeeping (every 100 ms while it runs).
     */
    public long heartbeatNs()
    {
        return heartbeatNs.get();
    }

    /**
     * @return configurations (epochs) the agent has taken.
     */
    public long reconfigurations()
    {
        return reconfigurations.get();
    }

    /**
     * @return answers to clients by operation and status.
     */
    public RequestCounts requests()
    {
        return requests;
    }

    /**
     * @return write commit latency seen at the head.
     */
    public LatencyHistogram commitLatency()
    {
        return commitLatency.histogram();
    }

    /**
     * @return the node's state transfer counters.
     */
    public TransferCounters transfer()
    {
        return transfer;
    }

    public void close()
    {
        CloseHelper.closeAll(transfer, clientRequests, updatesApplied, malformedFrames, unauthenticatedFrames,
            chunkedMessagesRefused, staleMessagesDropped, unknownEnumsDropped, replyChannelsRefused,
            repliesDropped, readsAnswered, versionQueriesSent, versionQueriesAnswered, resendRequestsSent, resendRequestsReceived, lastAppliedSeq, lastCommittedSeq, sentListSize,
            rejectedRequests, epoch, role, storeEntries, storeDataBytes, heartbeatNs, reconfigurations,
            activeSessions, sessionCapacity, sessionsExpired, replyPublications);
    }
}
