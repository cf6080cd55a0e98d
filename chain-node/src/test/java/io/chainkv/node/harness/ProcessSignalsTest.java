package io.chainkv.node.harness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The signal and /proc plumbing of {@link NodeProcess}, against a plain {@code sleep} child.
 */
class ProcessSignalsTest
{
    private Process sleep;

    @AfterEach
    void killSleep()
    {
        if (null != sleep)
        {
            sleep.destroyForcibly();
        }
    }

    @Test
    void sigstopPausesAProcessAndSigcontResumesIt() throws Exception
    {
        sleep = new ProcessBuilder("sleep", "60").start();

        NodeProcess.sendSignal(sleep.pid(), "STOP");
        assertTrue(awaitState(sleep.pid(), "T"), "stopped");

        NodeProcess.sendSignal(sleep.pid(), "CONT");
        assertTrue(awaitState(sleep.pid(), "S"), "running again");
    }

    @Test
    void signalKillEndsTheProcess() throws Exception
    {
        sleep = new ProcessBuilder("sleep", "60").start();

        NodeProcess.sendSignal(sleep.pid(), "KILL");

        assertTrue(sleep.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, sleep.exitValue());
    }

    @Test
    void procStateOfAGoneProcessIsUnknown() throws Exception
    {
        sleep = new ProcessBuilder("true").start();
        assertTrue(sleep.waitFor(10, TimeUnit.SECONDS));

        assertEquals("?", NodeProcess.procState(sleep.pid()));
    }

    @Test
    void signallingAGoneProcessFails() throws Exception
    {
        sleep = new ProcessBuilder("true").start();
        assertTrue(sleep.waitFor(10, TimeUnit.SECONDS));

        assertFalse(sleep.isAlive());
        assertNotEquals(null, org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> NodeProcess.sendSignal(sleep.pid(), "CONT")));
    }

    private static boolean awaitState(final long pid, final String state) throws InterruptedException
    {
        for (int i = 0; i < 100; i++)
        {
            if (state.equals(NodeProcess.procState(pid)))
            {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
