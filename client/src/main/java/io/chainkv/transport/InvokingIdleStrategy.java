package io.chainkv.transport;

import org.agrona.concurrent.IdleStrategy;

/**
 * An idle strategy for waits inside a duty cycle (back pressure in the middle of a chunked message) on a thread that
 * also drives an {@link EmbeddedAeron} made by {@link EmbeddedAeron#launchInvoked}: it runs the driver before each
 * idle, since nothing else would drain the publication it waits for.
 */
public final class InvokingIdleStrategy implements IdleStrategy
{
    private final EmbeddedAeron transport;
    private final IdleStrategy delegate;

    /**
     * @param transport driven on every idle.
     * @param delegate  how to wait after that.
     */
    public InvokingIdleStrategy(final EmbeddedAeron transport, final IdleStrategy delegate)
    {
        this.transport = transport;
        this.delegate = delegate;
    }

    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            idle();
        }
    }

    public void idle()
    {
        if (transport.invoke() <= 0)
        {
            delegate.idle();
        }
    }

    public void reset()
    {
        delegate.reset();
    }

    public String alias()
    {
        return "invoking-" + delegate.alias();
    }
}
