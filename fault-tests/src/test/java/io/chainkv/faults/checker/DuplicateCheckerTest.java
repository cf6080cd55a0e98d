package io.chainkv.faults.checker;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The duplicate checker finds a write applied twice and a version given to two writes.
 */
class DuplicateCheckerTest
{
    @Test
    void eachWriteAtOneVersionPasses()
    {
        assertTrue(new DuplicateChecker().check(new HandMadeHistory()
            .put(1, "a", 0, 1, 1).get(2, "a", 1, 2, 3).put(1, "b", 4, 5, 2).get(2, "b", 2, 6, 7).ops()).isEmpty());
    }

    @Test
    void valueSeenAtTwoVersionsWasAppliedTwice()
    {
        final List<Anomaly> anomalies = new DuplicateChecker().check(new HandMadeHistory()
            .put(1, "a", 0, 1, 1).get(2, "a", 4, 2, 3).ops());
        assertEquals(1, anomalies.size());
        assertTrue(anomalies.get(0).what().startsWith("write applied twice"), anomalies.get(0)::describe);
    }

    @Test
    void duplicateOfAWriteWithUnknownOutcomeIsFoundByItsReads()
    {
        final List<Anomaly> anomalies = new DuplicateChecker().check(new HandMadeHistory()
            .putUnknown(1, "a", 0, 1).get(2, "a", 3, 2, 3).put(1, "b", 4, 5, 4).get(2, "a", 5, 6, 7).ops());
        assertEquals(1, anomalies.size());
        assertTrue(anomalies.get(0).what().startsWith("write applied twice"), anomalies.get(0)::describe);
    }

    @Test
    void oneVersionForTwoWritesIsReported()
    {
        final List<Anomaly> anomalies = new DuplicateChecker().check(new HandMadeHistory()
            .put(1, "a", 0, 1, 7).put(2, "b", 2, 3, 7).ops());
        assertEquals(1, anomalies.size());
        assertTrue(anomalies.get(0).what().startsWith("version 7 was given to 2"), anomalies.get(0)::describe);
    }
}
