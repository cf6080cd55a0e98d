package io.chainkv.faults.history;

/**
 * A fault a nemesis injected or healed, at a time of the history's clock, so a failure report can show which
 * faults surrounded an anomaly.
 *
 * @param timeNs      nanoseconds since the history began.
 * @param nemesis     which nemesis, e.g. "kill-node".
 * @param description what it did, e.g. "kill -9 n3 (TAIL)".
 */
public record FaultEvent(long timeNs, String nemesis, String description)
{
    public String toString()
    {
        return String.format("%9.3f s  %-16s %s", timeNs / 1e9, nemesis, description);
    }
}
