package io.chainkv.node.transfer;

import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.function.Function;

/**
 * What a node has done in state transfers, as a source (tail) and as a joiner, kept in the media driver's counters
 * file beside the node's other counters so tests and operators read them from outside the process.
 */
public final class TransferCounters implements AutoCloseable
{
    final AtomicCounter transfersStarted;
    final AtomicCounter transfersStreamed;
    final AtomicCounter entriesSent;
    final AtomicCounter bytesSent;
    final AtomicCounter joinRequestsSent;
    final AtomicCounter fullTransfersReceived;
    final AtomicCounter deltaTransfersReceived;
    final AtomicCounter entriesReceived;
    final AtomicCounter bytesReceived;
    final AtomicCounter suspectKeysDropped;
    final AtomicCounter transfersCaughtUp;
    final AtomicCounter tombstonesCollected;
    final AtomicCounter transfersStoppedNoRoom;
    final AtomicCounter transferAbortsSent;
    final AtomicCounter transferAbortsReceived;

    /**
     * @param newCounter makes a node counter from its name.
     */
    public TransferCounters(final Function<String, AtomicCounter> newCounter)
    {
        transfersStarted = newCounter.apply("transfers started as source");
        transfersStreamed = newCounter.apply("transfers streamed as source");
        entriesSent = newCounter.apply("transfer entries sent");
        bytesSent = newCounter.apply("transfer bytes sent");
        joinRequestsSent = newCounter.apply("join requests sent");
        fullTransfersReceived = newCounter.apply("full transfers received");
        deltaTransfersReceived = newCounter.apply("delta transfers received");
        entriesReceived = newCounter.apply("transfer entries received");
        bytesReceived = newCounter.apply("transfer bytes received");
        suspectKeysDropped = newCounter.apply("suspect keys dropped before rejoin");
        transfersCaughtUp = newCounter.apply("transfers caught up as joiner");
        tombstonesCollected = newCounter.apply("tombstones collected");
        transfersStoppedNoRoom = newCounter.apply("transfers stopped, store too small");
        transferAbortsSent = newCounter.apply("transfer aborts sent");
        transferAbortsReceived = newCounter.apply("transfer aborts received");
    }

    public long entriesSent()
    {
        return entriesSent.get();
    }

    public long entriesReceived()
    {
        return entriesReceived.get();
    }

    public long transfersCaughtUp()
    {
        return transfersCaughtUp.get();
    }

    public long transfersStarted()
    {
        return transfersStarted.get();
    }

    public long transfersStreamed()
    {
        return transfersStreamed.get();
    }

    public long bytesSent()
    {
        return bytesSent.get();
    }

    public long bytesReceived()
    {
        return bytesReceived.get();
    }

    public long fullTransfersReceived()
    {
        return fullTransfersReceived.get();
    }

    public long deltaTransfersReceived()
    {
        return deltaTransfersReceived.get();
    }

    public long tombstonesCollected()
    {
        return tombstonesCollected.get();
    }

    /**
     * @return 1 once this node, as joiner, stopped its transfer because its store cannot hold the chain's data (it
     * asks for none again until restarted), else 0.
     */
    public long transfersStoppedNoRoom()
    {
        return transfersStoppedNoRoom.get();
    }

    public long transferAbortsSent()
    {
        return transferAbortsSent.get();
    }

    public long transferAbortsReceived()
    {
        return transferAbortsReceived.get();
    }

    /**
     * Counts a TransferAbort sent downstream: a joiner cut off, or a successor that asked for updates no longer held.
     */
    public void onTransferAbortSent()
    {
        transferAbortsSent.incrementRelease();
    }

    /**
     * Counts a TransferAbort received from upstream.
     */
    public void onTransferAborted()
    {
        transferAbortsReceived.incrementRelease();
    }

    /**
     * @param count tombstones just removed by the store's collection.
     */
    public void onTombstonesCollected(final long count)
    {
        tombstonesCollected.getAndAddRelease(count);
    }

    public void close()
    {
        CloseHelper.closeAll(transfersStarted, transfersStreamed, entriesSent, bytesSent, joinRequestsSent,
            fullTransfersReceived, deltaTransfersReceived, entriesReceived, bytesReceived, suspectKeysDropped,
            transfersCaughtUp, tombstonesCollected, transfersStoppedNoRoom, transferAbortsSent, transferAbortsReceived);
    }
}
