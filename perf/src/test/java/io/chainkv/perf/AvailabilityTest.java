package io.chainkv.perf;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AvailabilityTest
{
    @Test
    void longestGapBetweenSuccessesIsReportedWithItsStart()
    {
        final Availability availability = new Availability(1_000);
        availability.onSuccess(1_100);
        availability.onSuccess(1_200);
        availability.onSuccess(5_200);
        availability.onSuccess(5_300);
        availability.close(5_400);
        assertEquals(4_000, availability.longestGapNs());
        assertEquals(200, availability.longestGapStartOffsetNs());
    }

    @Test
    void silenceUntilTheWindowEndsCounts()
    {
        final Availability availability = new Availability(0);
        availability.onSuccess(10);
        availability.close(10_000);
        assertEquals(9_990, availability.longestGapNs());
    }

    @Test
    void aLateCallbackWithAnOlderTimestampDoesNotCreateAGap()
    {
        final Availability availability = new Availability(0);
        availability.onSuccess(100);
        availability.onSuccess(50);
        availability.onSuccess(150);
        availability.close(150);
        assertEquals(100, availability.longestGapNs());
    }
}
