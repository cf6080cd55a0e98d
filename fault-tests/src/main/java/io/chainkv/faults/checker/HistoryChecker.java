package io.chainkv.faults.checker;

import io.chainkv.faults.history.Operation;

import java.util.List;

/**
 * One property of a history that a run must have.
 */
public interface HistoryChecker
{
    /**
     * @return the checker's name in reports, e.g. "linearizability".
     */
    String name();

    /**
     * @param history every operation of a run (all keys), final reads included.
     * @return what was found; empty if the property holds.
     */
    List<Anomaly> check(List<Operation> history);
}
