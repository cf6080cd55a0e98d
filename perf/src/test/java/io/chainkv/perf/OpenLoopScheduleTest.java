package io.chainkv.perf;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenLoopScheduleTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void intendedTimesFollowTheRateWhateverTheSendTimes()
    {
        final OpenLoopSchedule schedule = new OpenLoopSchedule(1_000, OpenLoopSchedule.intervalNs(1000, 1));
        assertEquals(1_000, schedule.claimNext());
        assertEquals(1_000 + MS, schedule.claimNext());
        assertEquals(1_000 + 2 * MS, schedule.claimNext());
    }

    @Test
    void eachWorkerGetsItsShareOfTheRate()
    {
        assertEquals(4 * MS, OpenLoopSchedule.intervalNs(1000, 4));
    }

    @Test
    void nothingIsDueBeforeItsIntendedTime()
    {
        final OpenLoopSchedule schedule = new OpenLoopSchedule(10 * MS, MS);
        assertFalse(schedule.isDue(10 * MS - 1));
        assertTrue(schedule.isDue(10 * MS));
    }

    @Test
    void aStallIsChargedToEveryOpThatShouldHaveBeenSentDuringIt()
    {
        // 1000 ops/s; the sender stalls from 0 to 100 ms, then sends the backlog at once; each op takes 1 ms.
        final OpStats stats = new OpStats(Op.WRITE);
        final OpStats naive = new OpStats(Op.WRITE);
        final OpenLoopSchedule schedule = new OpenLoopSchedule(0, MS);
        final long stallEndNs = 100 * MS;
        long nowNs = stallEndNs;
        int sent = 0;
        while (schedule.isDue(nowNs))
        {
            final long intendedNs = schedule.claimNext();
            stats.recordLatency(intendedNs, nowNs + MS);
            naive.recordLatency(nowNs, nowNs + MS);
            sent++;
            nowNs += 1_000; // the backlog goes out 1 us apart
        }

        assertEquals(101, sent, "ops due from 0 to 100 ms inclusive are sent after the stall");
        final var latencies = stats.sampleInterval();
        assertEquals(101 * MS, latencies.getMaxValue(), 0.01 * 101 * MS, "the first op waited out the whole stall");
        assertEquals(51 * MS, latencies.getMean(), 0.01 * 51 * MS);
        assertEquals(MS, naive.sampleInterval().getMaxValue(), 0.01 * MS, "send-time accounting hides the stall");
    }
}
