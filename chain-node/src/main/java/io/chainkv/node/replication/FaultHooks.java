package io.chainkv.node.replication;

import java.util.concurrent.TimeUnit;

/**
 * Pauses a test can ask of the data path to make a race happen every time instead of once in many runs. Each is a
 * system property, read once at class load; all are off unless set, and nothing in a normal start sets them.
 * <ul>
 *     <li>{@value #JOINER_HOLD_PROP}: a joiner that has just caught up with the tail stops taking updates from upstream
 *     for this many milliseconds, once per process. It simulates a joiner that falls behind the tail right after it
 *     claimed to have caught up (a slow disk, a GC pause, updates still in flight when the master promotes it), the
 *     window in which the tail acknowledges writes the joiner does not hold yet (docs/healing.md).</li>
 * </ul>
 */
public final class FaultHooks
{
    public static final String JOINER_HOLD_PROP = "chainkv.test.joiner.hold.after.caught.up.ms";

    /** How long a joiner that has just caught up holds back from upstream; 0 (the default) never. */
    static final long JOINER_HOLD_AFTER_CAUGHT_UP_NS = TimeUnit.MILLISECONDS.toNanos(Long.getLong(JOINER_HOLD_PROP, 0));

    public static final String JOINER_CLAIM_DELAY_PROP = "chainkv.test.joiner.claim.delay.ms";

    /** How late a joiner that has just caught up publishes its claim; 0 (the default) at once. */
    static final long JOINER_CLAIM_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(Long.getLong(JOINER_CLAIM_DELAY_PROP, 0));

    private FaultHooks()
    {
    }
}
