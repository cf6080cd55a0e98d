package io.chainkv.perf.floor;

import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.chainkv.transport.Channels;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.InvokingAgent;
import io.chainkv.transport.TransportSettings;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;

/**
 * One hop of the transport floor: a process shaped like a node (its own embedded media driver, one agent
 * thread, the same {@link TransportSettings}) that forwards every message it receives on its UDP endpoint
 * to the next endpoint, unchanged. It does none of a node's work (no decoding, no store), so a chain of
 * these is the fastest a chain of nodes could be on this machine.
 * <pre>
 * java @scripts/jvm.options -cp ... io.chainkv.perf.floor.FloorHopMain --listen 127.0.0.1:41001 --next 127.0.0.1:41002
 * </pre>
 * Prints {@value #READY} once it serves; exits on SIGTERM.
 */
public final class FloorHopMain
{
    /** Stream id of floor messages. */
    public static final int STREAM_ID = 2001;

    /** What a hop prints on stdout once it forwards. */
    public static final String READY = "chainkv-floor-hop ready";

    private FloorHopMain()
    {
    }

    /**
     * @param args --listen host:port --next host:port.
     */
    public static void main(final String[] args)
    {
        String listen = null;
        String next = null;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            if ("--listen".equals(args[i]))
            {
                listen = args[i + 1];
            }
            else if ("--next".equals(args[i]))
            {
                next = args[i + 1];
            }
        }
        if (null == listen || null == next)
        {
            System.err.println("usage: FloorHopMain --listen host:port --next host:port");
            System.exit(2);
        }

        final TransportSettings settings = TransportSettings.fromSystemProperties();
        // A hop runs its driver the way a node does (invoker or shared), so the floor compares like with like.
        final File driverDir = EmbeddedAeron.uniqueDirectory("floor-hop");
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            EmbeddedAeron aeron = settings.nodeDriverInvoked() ?
                EmbeddedAeron.launchInvoked(driverDir, settings) : EmbeddedAeron.launch(driverDir, settings);
            Subscription subscription = aeron.aeron().addSubscription(Channels.udp(listen, settings), STREAM_ID);
            Publication publication = aeron.aeron().addPublication(Channels.udp(next, settings), STREAM_ID);
            AgentRunner runner = new AgentRunner(settings.newIdleStrategy(), Throwable::printStackTrace, null,
                hopAgent(aeron, new Forwarder(subscription, publication, aeron.isInvoked() ?
                    settings.drivingWhileIdle(aeron).newIdleStrategy() : settings.newIdleStrategy()))))
        {
            AgentRunner.startOnThread(runner);
            System.out.println(READY + " listen=" + listen + " next=" + next + " " + settings);
            System.out.flush();
            barrier.await();
        }
    }

    private static Agent hopAgent(final EmbeddedAeron aeron, final Agent forwarder)
    {
        return aeron.isInvoked() ? new InvokingAgent(aeron, forwarder) : forwarder;
    }

    /**
     * Polls the subscription and offers each message to the publication, waiting out back pressure as a
     * node's agent would.
     */
    static final class Forwarder implements Agent
    {
        private final Subscription subscription;
        private final Publication publication;
        private final IdleStrategy backPressureIdle;
        private final FragmentAssembler assembler;

        Forwarder(final Subscription subscription, final Publication publication, final IdleStrategy backPressureIdle)
        {
            this.subscription = subscription;
            this.publication = publication;
            this.backPressureIdle = backPressureIdle;
            this.assembler = new FragmentAssembler((buffer, offset, length, header) -> forward(buffer, offset, length));
        }

        public int doWork()
        {
            return subscription.poll(assembler, 64);
        }

        public String roleName()
        {
            return "floor-hop";
        }

        private void forward(final DirectBuffer buffer, final int offset, final int length)
        {
            backPressureIdle.reset();
            long result;
            while ((result = publication.offer(buffer, offset, length)) < 0)
            {
                if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
                    Publication.MAX_POSITION_EXCEEDED == result)
                {
                    return;
                }
                backPressureIdle.idle();
            }
        }
    }
}
