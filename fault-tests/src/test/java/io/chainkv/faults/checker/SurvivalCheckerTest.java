package io.chainkv.faults.checker;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The survival checker finds acknowledged writes missing from the final read, and values that should not exist.
 */
class SurvivalCheckerTest
{
    private static List<Anomaly> check(final HandMadeHistory history)
    {
        return new SurvivalChecker().check(history.ops());
    }

    private static void assertOneAnomaly(final HandMadeHistory history, final String start)
    {
        final List<Anomaly> anomalies = check(history);
        assertEquals(1, anomalies.size(), () -> "anomalies: " + anomalies);
        assertTrue(anomalies.get(0).what().startsWith(start), anomalies.get(0)::describe);
    }

    @Test
    void finalReadOfTheLastAcknowledgedWritePasses()
    {
        assertTrue(check(new HandMadeHistory().put(1, "a", 0, 1, 1).put(1, "b", 2, 3, 2).finalRead("b", 2, 10))
            .isEmpty());
    }

    @Test
    void finalReadOfALaterWriteWithUnknownOutcomePasses()
    {
        assertTrue(check(new HandMadeHistory().put(1, "a", 0, 1, 1).putUnknown(1, "b", 2, 3).finalRead("b", 9, 10))
            .isEmpty());
    }

    @Test
    void finalReadOlderThanAnAcknowledgedWriteIsALostWrite()
    {
        assertOneAnomaly(new HandMadeHistory().put(1, "a", 0, 1, 1).put(1, "b", 2, 3, 2).finalRead("a", 1, 10),
            "acknowledged write lost");
    }

    @Test
    void keyAbsentWithoutADeleteIsALostWrite()
    {
        assertOneAnomaly(new HandMadeHistory().put(1, "a", 0, 1, 1).getAbsent(SurvivalChecker.FINAL_READ_PROCESS,
            10, 11), "acknowledged write lost");
    }

    @Test
    void keyAbsentAfterADeletePasses()
    {
        assertTrue(check(new HandMadeHistory().put(1, "a", 0, 1, 1).delete(2, true, 2, 3)
            .getAbsent(SurvivalChecker.FINAL_READ_PROCESS, 10, 11)).isEmpty());
    }

    @Test
    void missingFinalReadIsReported()
    {
        assertOneAnomaly(new HandMadeHistory().put(1, "a", 0, 1, 1), "no final read");
    }

    @Test
    void valueOfAFailedWriteMustNeverBeRead()
    {
        assertOneAnomaly(new HandMadeHistory().put(1, "a", 0, 1, 1).putFailed(1, "b", 2, 3).get(2, "b", 2, 4, 5)
            .finalRead("a", 1, 10), "read the value of a write the client was told");
    }

    @Test
    void valueNobodyWroteIsReported()
    {
        assertOneAnomaly(new HandMadeHistory().put(1, "a", 0, 1, 1).finalRead("zz", 1, 10), "read a value no client");
    }
}
