package io.chainkv.node.replication;

import io.aeron.Aeron;
import io.chainkv.node.transfer.TransferCounters;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The node's counters, kept in the media driver's counters file so tools like AeronStat (and later the
 * metrics endpoint) can read them from outside the data path without locks.
 */
public final class NodeCounters implements AutoCloseable
{
    /** Aeron counter type id of every ChainKV node counter. */
    public static final int NODE_COUNTER_TYPE_ID = 7301;

    final AtomicCounter clientRequests;
    final AtomicCounter updatesApplied;
    final AtomicCounter malformedFrames;
    final AtomicCounter staleMessagesDropped;
    final AtomicCounter repliesDropped;
    final AtomicCounter resendRequestsSent;
    final AtomicCounter resendRequestsReceived;
    final AtomicCounter lastAppliedSeq;
    final AtomicCounter lastCommittedSeq;
    final AtomicCounter sentListSize;
    final AtomicCounter rejectedRequests;
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
        staleMessagesDropped = add(aeron, nodeId, "messages of another cluster/chain/epoch dropped");
        repliesDropped = add(aeron, nodeId, "replies dropped");
        resendRequestsSent = add(aeron, nodeId, "resend requests sent");
        resendRequestsReceived = add(aeron, nodeId, "resend requests received");
        lastAppliedSeq = add(aeron, nodeId, "last applied seq");
        lastCommittedSeq = add(aeron, nodeId, "last committed seq");
        sentListSize = add(aeron, nodeId, "sent list size");
        rejectedRequests = add(aeron, nodeId, "client requests refused");
        transfer = new TransferCounters(name -> add(aeron, nodeId, name));
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

    public long staleMessagesDropped()
    {
        return staleMessagesDropped.get();
    }

    public long lastAppliedSeq()
    {
        return lastAppliedSeq.get();
    }

    public long lastCommittedSeq()
    {
        return lastCommittedSeq.get();
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
        CloseHelper.closeAll(transfer, clientRequests, updatesApplied, malformedFrames, staleMessagesDropped, repliesDropped,
            resendRequestsSent, resendRequestsReceived, lastAppliedSeq, lastCommittedSeq, sentListSize, rejectedRequests);
    }
}
