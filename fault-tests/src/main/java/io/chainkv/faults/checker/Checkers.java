package io.chainkv.faults.checker;

import java.util.List;

/**
 * The checkers every fault run applies.
 */
public final class Checkers
{
    private Checkers()
    {
    }

    /**
     * @return linearizability per key, survival of acknowledged writes, no write applied twice.
     */
    public static List<HistoryChecker> all()
    {
        return List.of(new LinearizabilityChecker(), new SurvivalChecker(), new DuplicateChecker());
    }
}
