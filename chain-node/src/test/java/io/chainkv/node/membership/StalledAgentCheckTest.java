package io.chainkv.node.membership;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StalledAgentCheckTest
{
    private static final long MS = 1_000_000L;
    private static final long THRESHOLD_NS = 300 * MS;
    private static final long PERIOD_NS = 100 * MS;

    private final long base = System.nanoTime() + 1_000_000 * MS;
    private final DutyCycleHeartbeat heartbeat = new DutyCycleHeartbeat(base);
    private final StalledAgentCheck check = new StalledAgentCheck(heartbeat, THRESHOLD_NS);

    @Test
    void anAgentThatBeatsWithinTheThresholdIsNotStalled()
    {
        for (long t = base; t < base + 10 * THRESHOLD_NS; t += PERIOD_NS)
        {
            heartbeat.beat(t - THRESHOLD_NS + 1);
            assertFalse(check.isStalled(t));
        }
    }

    @Test
    void oneStaleReadingIsNotAStall()
    {
        // After a pause of the whole process the keeper may read the beat before the agent's first cycle.
        assertFalse(check.isStalled(base + THRESHOLD_NS + 1));
    }

    @Test
    void theSameStaleBeatAtTwoChecksInARowIsAStall()
    {
        assertFalse(check.isStalled(base + THRESHOLD_NS + 1));
        assertTrue(check.isStalled(base + THRESHOLD_NS + 1 + PERIOD_NS));
        assertTrue(check.isStalled(base + THRESHOLD_NS + 1 + 2 * PERIOD_NS));
    }

    @Test
    void anAgentThatResumesAfterAProcessPauseIsNotStalled()
    {
        final long resumedNs = base + 10 * THRESHOLD_NS;
        assertFalse(check.isStalled(resumedNs));
        heartbeat.beat(resumedNs + 1);

        assertFalse(check.isStalled(resumedNs + PERIOD_NS));
    }

    @Test
    void anAgentThatStillCompletesCyclesIsNotStalledHoweverSlowly()
    {
        assertFalse(check.isStalled(base + THRESHOLD_NS + 1));
        heartbeat.beat(base + 1);

        assertFalse(check.isStalled(base + THRESHOLD_NS + 1 + PERIOD_NS));
    }

    @Test
    void aStalledAgentThatBeatsAgainIsNoLongerStalled()
    {
        check.isStalled(base + THRESHOLD_NS + 1);
        assertTrue(check.isStalled(base + THRESHOLD_NS + 1 + PERIOD_NS));
        final long backNs = base + THRESHOLD_NS + 1 + 2 * PERIOD_NS;
        heartbeat.beat(backNs);

        assertFalse(check.isStalled(backNs + PERIOD_NS));
    }

    @Test
    void saysHowLongTheAgentHasBeenSilent()
    {
        assertEquals(1234, check.silentMs(base + 1234 * MS));
    }

    @Test
    void refusesANonPositiveThreshold()
    {
        assertThrows(IllegalArgumentException.class, () -> new StalledAgentCheck(heartbeat, 0));
    }
}
