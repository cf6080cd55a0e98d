package io.chainkv.node.replication;

import io.chainkv.node.membership.DutyCycleHeartbeat;
import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of waits inside a duty cycle (back pressure in the middle of a chunked message, bounded by the
 * sender's deadline): it beats the agent's {@link DutyCycleHeartbeat} at every idle, so a wait that is making its way
 * through a slow successor is not taken for a stuck thread (docs/failures.md, "The replication thread dies or is
 * stuck").
 */
final class HeartbeatIdleStrategy implements IdleStrategy
{
    private final DutyCycleHeartbeat heartbeat;
    private final IdleStrategy delegate;

    HeartbeatIdleStrategy(final DutyCycleHeartbeat heartbeat, final IdleStrategy delegate)
    {
        this.heartbeat = heartbeat;
        this.delegate = delegate;
    }

    public void idle(final int workCount)
    {
        heartbeat.beat(System.nanoTime());
        delegate.idle(workCount);
    }

    public void idle()
    {
        heartbeat.beat(System.nanoTime());
        delegate.idle();
    }

    public void reset()
    {
        delegate.reset();
    }

    public String alias()
    {
        return delegate.alias();
    }
}
