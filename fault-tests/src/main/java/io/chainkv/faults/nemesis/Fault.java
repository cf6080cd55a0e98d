package io.chainkv.faults.nemesis;

/**
 * A fault a nemesis has put in place: what it did, how long the schedule should leave it, and how to undo it.
 *
 * @param description what was done, e.g. "kill -9 n3 (TAIL)".
 * @param holdMs      how long to leave it before healing.
 * @param heal        undoes it (restart, SIGCONT, link up...); returns what it did.
 */
public record Fault(String description, long holdMs, Heal heal)
{
    /**
     * Undoes a fault.
     */
    @FunctionalInterface
    public interface Heal
    {
        /**
         * @return what was done, for the report.
         */
        String heal();
    }
}
