package io.chainkv.faults.checker;

import io.chainkv.faults.history.Operation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The linearizability checker accepts what a linearizable register may answer and rejects each kind of
 * anomaly, so a run that passes it has proved something. Times are milliseconds.
 */
class LinearizabilityCheckerTest
{
    private static List<Anomaly> check(final HandMadeHistory history)
    {
        return new LinearizabilityChecker().check(history.ops());
    }

    private static void assertLinearizable(final HandMadeHistory history)
    {
        final List<Anomaly> anomalies = check(history);
        assertTrue(anomalies.isEmpty(), () -> "expected linearizable, got " + anomalies);
    }

    private static void assertNotLinearizable(final HandMadeHistory history)
    {
        final List<Anomaly> anomalies = check(history);
        assertEquals(1, anomalies.size(), "expected one anomaly for the key");
        assertTrue(anomalies.get(0).what().startsWith("not linearizable"), anomalies.get(0)::describe);
    }

    @Test
    void sequentialHistoryOfEveryOperationIsLinearizable()
    {
        assertLinearizable(new HandMadeHistory()
            .getAbsent(1, 0, 1)
            .put(1, "a", 2, 3, 1)
            .get(2, "a", 1, 4, 5)
            .cas(2, 1, "b", 6, 7, 2)
            .casMismatch(1, 1, "x", 8, 9, 2)
            .get(1, "b", 2, 10, 11)
            .delete(2, true, 12, 13)
            .delete(1, false, 14, 15)
            .getAbsent(2, 16, 17)
            .cas(1, 0, "c", 18, 19, 7)
            .casMismatch(2, 0, "y", 20, 21, 7));
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrder()
    {
        assertLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 10, 2)
            .put(2, "b", 5, 15, 1)
            .get(3, "a", 2, 20, 21));
    }

    @Test
    void readConcurrentWithWriteMaySeeOldOrNewValue()
    {
        assertLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .put(2, "b", 2, 10, 2)
            .get(3, "a", 1, 3, 4)
            .get(3, "b", 2, 5, 6));
    }

    @Test
    void staleReadIsNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .put(1, "b", 2, 3, 2)
            .get(2, "a", 1, 4, 5));
    }

    @Test
    void lostWriteIsNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .getAbsent(2, 2, 3));
    }

    @Test
    void nonMonotonicReadsAreNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .put(1, "b", 2, 10, 2)
            .get(2, "b", 2, 3, 4)
            .get(3, "a", 1, 5, 6));
    }

    @Test
    void readOfAValueNeverWrittenIsNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .get(2, "z", 1, 2, 3));
    }

    @Test
    void readBeforeTheWriteWasInvokedIsNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .get(2, "a", 1, 0, 1)
            .putUnknown(1, "a", 2, 3));
    }

    @Test
    void writeWithUnknownOutcomeMayHaveTakenEffect()
    {
        assertLinearizable(new HandMadeHistory()
            .putUnknown(1, "a", 0, 1)
            .get(2, "a", 5, 10, 11));
    }

    @Test
    void writeWithUnknownOutcomeMayNeverHaveTakenEffect()
    {
        assertLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .putUnknown(1, "b", 2, 3)
            .get(2, "a", 1, 10, 11));
    }

    @Test
    void writeWithUnknownOutcomeMayTakeEffectLongAfterTheClientGaveUp()
    {
        assertLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .putUnknown(1, "b", 2, 3)
            .get(2, "a", 1, 10, 11)
            .get(2, "b", 5, 20, 21));
    }

    @Test
    void writeWithUnknownOutcomeTakesEffectAtMostOnce()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .putUnknown(1, "b", 2, 3)
            .get(2, "b", 2, 10, 11)
            .put(2, "c", 12, 13, 3)
            .get(2, "b", 2, 14, 15));
    }

    @Test
    void failedWriteNeverTookEffect()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .putFailed(1, "b", 2, 3)
            .get(2, "b", 2, 10, 11));
    }

    @Test
    void duplicatedWriteIsNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .put(1, "b", 2, 3, 2)
            .get(2, "a", 3, 4, 5));
    }

    @Test
    void versionsGoingBackwardsAreNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 5)
            .put(1, "b", 2, 3, 3));
    }

    @Test
    void casSucceedingOnAStaleVersionIsNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .put(1, "b", 2, 3, 2)
            .cas(2, 1, "c", 4, 5, 3));
    }

    @Test
    void twoCasesOnTheSameVersionCannotBothSucceed()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .cas(2, 1, "b", 2, 5, 2)
            .cas(3, 1, "c", 2, 6, 3));
    }

    @Test
    void casMismatchOnTheMatchingVersionIsNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .casMismatch(2, 1, "b", 2, 3, 1));
    }

    @Test
    void putIfAbsentOnAPresentKeyIsNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .cas(2, 0, "b", 2, 3, 2));
    }

    @Test
    void casMismatchMayBeExplainedByAWriteWithUnknownOutcome()
    {
        assertLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .putUnknown(2, "b", 2, 3)
            .casMismatch(1, 1, "c", 4, 5, 2)
            .put(1, "d", 6, 7, 3)
            .get(1, "d", 3, 8, 9));
    }

    @Test
    void casWithUnknownOutcomeTakesEffectOnlyIfItsVersionMatched()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .put(1, "b", 2, 3, 2)
            .casUnknown(2, 1, "c", 4, 5)
            .get(1, "c", 3, 6, 7));
    }

    @Test
    void deleteOfAPresentKeyReportedAbsentIsNotLinearizable()
    {
        assertNotLinearizable(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .delete(2, false, 2, 3));
    }

    @Test
    void keysAreCheckedIndependently()
    {
        final List<Operation> ops = new ArrayList<>(new HandMadeHistory()
            .put(1, "a", 0, 1, 1)
            .get(1, "a", 1, 2, 3).ops());
        ops.add(Operation.of(99, 2, "other", io.chainkv.faults.history.OpType.GET, null, 0, 4_000_000, 5_000_000,
            io.chainkv.faults.history.Outcome.OK, 0, false, false, null));
        assertTrue(new LinearizabilityChecker().check(ops).isEmpty());
    }

    @Test
    void manyConcurrentUnknownWritesStayWithinTheSearchBudget()
    {
        final HandMadeHistory history = new HandMadeHistory();
        for (int i = 0; i < 12; i++)
        {
            history.putUnknown(i, "u" + i, i, i + 1);
        }
        history.put(20, "last", 30, 31, 100).get(21, "last", 100, 32, 33);
        assertLinearizable(history);
    }

    @Test
    void searchBeyondItsBudgetIsReportedUndecided()
    {
        final HandMadeHistory history = new HandMadeHistory();
        for (int i = 0; i < 16; i++)
        {
            history.putUnknown(i, "u" + i, 0, 1);
        }
        history.getAbsent(30, 40, 41);
        history.get(30, "never", 1, 42, 43);
        final List<Anomaly> anomalies = new LinearizabilityChecker(1_000).check(history.ops());
        assertEquals(1, anomalies.size());
        assertTrue(anomalies.get(0).what().startsWith("undecided"), anomalies.get(0)::describe);
    }
}
