package io.chainkv.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a ChainKV process (node, master) does with an {@link Error} that reaches the top of one of its threads: it halts,
 * with one last line saying which thread died of what, and the exit status {@link #EXIT_STATUS}.
 * <p>
 * Why halt rather than carry on: a process whose replication or master thread died keeps its ZooKeeper session (other
 * threads keep it alive), so the master never replaces it and its chain waits for ever (docs/failures.md, "A thread
 * dies of an Error"). Halting ends the session, and the master splices the process out within a session timeout. Why
 * halt rather than exit: shutdown hooks would close a node whose agent thread is gone and whose heap may be exhausted,
 * and could hang; an unclean stop is one the store and the cluster already survive (kill -9).
 * <p>
 * Exceptions are not fatal: they are logged and the thread's own code decides (an agent goes on with its next duty
 * cycle, as Agrona's {@code AgentRunner} does).
 */
public final class FatalErrors
{
    /**
     * Exit status of a process halted by an {@link Error} on one of its threads (70, EX_SOFTWARE of sysexits.h). The
     * JVM's own {@code -XX:+ExitOnOutOfMemoryError} exits with 3 instead (docs/operations.md, "Exit status").
     */
    public static final int EXIT_STATUS = 70;

    private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);

    private FatalErrors()
    {
    }

    /**
     * Makes every thread of this process that has no handler of its own halt the process on an uncaught {@link Error},
     * and log any other uncaught throwable. Call first thing in {@code main}, after {@link LoggingDefaults#apply()}.
     *
     * @param processName what the process is, for the last line, e.g. "chainkv-node n1".
     */
    public static void installHaltOnError(final String processName)
    {
        Thread.setDefaultUncaughtExceptionHandler((thread, throwable) -> uncaught(processName, thread, throwable));
    }

    /**
     * Hands a throwable caught at the top of a task (where an executor would otherwise swallow it) to the current
     * thread's uncaught exception handler: in a process that called {@link #installHaltOnError(String)}, an
     * {@link Error} halts it; embedded in another application, that application's handler decides.
     *
     * @param throwable what the task threw.
     */
    public static void escalate(final Throwable throwable)
    {
        final Thread thread = Thread.currentThread();
        thread.getUncaughtExceptionHandler().uncaughtException(thread, throwable);
    }

    private static void uncaught(final String processName, final Thread thread, final Throwable throwable)
    {
        if (!(throwable instanceof Error))
        {
            LOG.error("{}: thread {} died of an uncaught exception", processName, thread.getName(), throwable);
            return;
        }
        try
        {
            LOG.error("{}: thread {} died of {}", processName, thread.getName(), throwable, throwable);
            // Logback's console appender writes synchronously; this line is the last one, even if logging is broken.
            System.err.println(processName + ": FATAL " + throwable + " on thread " + thread.getName() +
                "; halting with exit status " + EXIT_STATUS);
            System.err.flush();
        }
        catch (final Throwable ignore)
        {
            // Out of memory, or logging itself broken: halt regardless.
        }
        finally
        {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}
