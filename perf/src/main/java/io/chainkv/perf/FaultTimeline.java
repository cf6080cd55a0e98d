package io.chainkv.perf;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Carries out a {@link FaultPlan} on its own thread, each action at its second of the measured window, and
 * keeps what happened for the report. An action that fails is recorded, not thrown: the run goes on.
 */
public final class FaultTimeline implements AutoCloseable
{
    private final FaultPlan plan;
    private final FaultInjector injector;
    private final long windowStartNs;
    private final PrintStream out;
    private final List<BenchResult.FaultEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch closing = new CountDownLatch(1);
    private Thread thread;

    /**
     * @param plan          what to do when.
     * @param injector      how; may be null when the plan is empty.
     * @param windowStartNs start of the measured window (System.nanoTime()).
     * @param out           one line per action.
     */
    public FaultTimeline(final FaultPlan plan, final FaultInjector injector, final long windowStartNs, final PrintStream out)
    {
        this.plan = plan;
        this.injector = injector;
        this.windowStartNs = windowStartNs;
        this.out = out;
    }

    /**
     * Starts the timeline thread; nothing when the plan is empty.
     */
    public void start()
    {
        if (plan.isEmpty())
        {
            return;
        }
        thread = new Thread(this::runPlan, "bench-faults");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return actions carried out so far, in order.
     */
    public List<BenchResult.FaultEvent> events()
    {
        synchronized (events)
        {
            return List.copyOf(events);
        }
    }

    /**
     * Drops actions not yet due and waits for one in progress (a restart waits until the node serves).
     */
    public void close()
    {
        closing.countDown();
        if (null != thread)
        {
            try
            {
                thread.join(TimeUnit.MINUTES.toMillis(2));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void runPlan()
    {
        for (final FaultPlan.Action action : plan.actions())
        {
            final long dueNs = windowStartNs + (long)(action.atSecond() * 1e9);
            try
            {
                if (closing.await(Math.max(0, dueNs - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    return;
                }
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            final double atSecond = (System.nanoTime() - windowStartNs) / 1e9;
            String outcome;
            try
            {
                outcome = action.kill() ? injector.kill9(action.nodeId()) : injector.restart(action.nodeId());
                outcome = String.format(Locale.ROOT, "%s (took %.1f s)", outcome,
                    (System.nanoTime() - windowStartNs) / 1e9 - atSecond);
            }
            catch (final Exception ex)
            {
                outcome = "FAILED: " + ex.getMessage();
            }
            events.add(new BenchResult.FaultEvent(atSecond, action.name(), action.nodeId(), outcome));
            out.printf(Locale.ROOT, "[fault %.1fs] %s %s: %s%n", atSecond, action.name(), action.nodeId(), outcome);
        }
    }
}
