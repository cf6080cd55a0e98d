package io.chainkv.transport;

import org.agrona.concurrent.Agent;

/**
 * Runs a process's transport on the thread of its data-path agent: each duty cycle first drives the
 * {@link EmbeddedAeron} (media driver and client conductor, made by {@link EmbeddedAeron#launchInvoked}), then the
 * agent. Received messages are therefore polled in the same cycle the driver took them off the socket, and what the
 * agent offers goes out on the next cycle, without a hand-over between threads.
 */
public final class InvokingAgent implements Agent
{
    private final EmbeddedAeron transport;
    private final Agent delegate;

    /**
     * @param transport driven before the delegate in every duty cycle.
     * @param delegate  the data-path agent.
     */
    public InvokingAgent(final EmbeddedAeron transport, final Agent delegate)
    {
        this.transport = transport;
        this.delegate = delegate;
    }

    public void onStart()
    {
        delegate.onStart();
    }

    public int doWork() throws Exception
    {
        return transport.invoke() + delegate.doWork();
    }

    public void onClose()
    {
        delegate.onClose();
    }

    public String roleName()
    {
        return delegate.roleName();
    }
}
