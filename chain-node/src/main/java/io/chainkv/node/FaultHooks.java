package io.chainkv.node;

import java.util.concurrent.TimeUnit;

/**
 * Pauses a test can ask of a node to make a race happen every time instead of once in many runs. Each is a system
 * property, read once at class load; all are off unless set, and nothing in a normal start sets them.
 * <ul>
 *     <li>{@value #JOINER_HOLD_PROP}: a joiner that has just caught up with the tail stops taking updates from upstream
 *     for this many milliseconds, once per process. It simulates a joiner that falls behind the tail right after it
 *     claimed to have caught up (a slow disk, a GC pause, updates still in flight when the master promotes it), the
 *     window in which the tail acknowledges writes the joiner does not hold yet (docs/healing.md).</li>
 *     <li>{@value #JOINER_CLAIM_DELAY_PROP}: such a joiner publishes its claim to have caught up this many milliseconds
 *     late, once per process, and not at all if it withdrew it meanwhile: a slow ZooKeeper write, which lets the tail
 *     cut the joiner off before the master reads the claim.</li>
 *     <li>{@value #ZOOKEEPER_STALL_DIR_PROP}: a directory; when the file {@code <nodeId>.stall} appears in it (holding a
 *     number of milliseconds), the node's lease keeper, right after its next renewal, deletes it and holds back
 *     everything the node hears from ZooKeeper (config reads and watch events) for that long. It simulates a slow
 *     link to ZooKeeper within the session timeout: the lease just renewed stays valid while the node does not see a
 *     newer configuration, the window in which a member removed alive must not answer reads (docs/failures.md).</li>
 *     <li>{@value #AGENT_FAULT_DIR_PROP}: a directory the replication agent looks into every
 *     {@value #AGENT_FAULT_CHECK_MS} ms. When the file {@code <nodeId>}{@value #AGENT_ERROR_SUFFIX} appears, the agent
 *     deletes it and throws an {@link Error} from its duty cycle: a dead replication thread (an OutOfMemoryError, an
 *     InternalError from a mapped page, a bug). When {@code <nodeId>}{@value #AGENT_WEDGE_SUFFIX} appears (holding a
 *     number of milliseconds, or nothing for ever), the agent deletes it and sleeps that long inside the duty cycle: a
 *     stuck replication thread. Both must make the node give up its place (docs/failures.md, "The replication thread
 *     dies or is stuck").</li>
 *     <li>{@value io.chainkv.node.store.BootId#FILE_PROP} (read by {@link io.chainkv.node.store.BootId}, where the store
 *     needs it): a file the node reads its machine's boot id from instead of the kernel's, read at every store open, so
 *     a test that rewrites it before restarting a node makes that node believe its machine restarted
 *     (docs/store.md, "Which stores a node trusts").</li>
 * </ul>
 */
public final class FaultHooks
{
    public static final String JOINER_HOLD_PROP = "chainkv.test.joiner.hold.after.caught.up.ms";

    /** How long a joiner that has just caught up holds back from upstream; 0 (the default) never. */
    public static final long JOINER_HOLD_AFTER_CAUGHT_UP_NS = TimeUnit.MILLISECONDS.toNanos(Long.getLong(JOINER_HOLD_PROP, 0));

    public static final String JOINER_CLAIM_DELAY_PROP = "chainkv.test.joiner.claim.delay.ms";

    /** How late a joiner that has just caught up publishes its claim; 0 (the default) at once. */
    public static final long JOINER_CLAIM_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(Long.getLong(JOINER_CLAIM_DELAY_PROP, 0));

    public static final String ZOOKEEPER_STALL_DIR_PROP = "chainkv.test.zookeeper.stall.dir";

    /** Where a test drops {@code <nodeId>.stall} files; null (the default) never looks. */
    public static final String ZOOKEEPER_STALL_DIR = System.getProperty(ZOOKEEPER_STALL_DIR_PROP);

    public static final String AGENT_FAULT_DIR_PROP = "chainkv.test.agent.fault.dir";

    /** Where a test drops {@code <nodeId>.agent-error} and {@code <nodeId>.agent-wedge} files; null (the default) never looks. */
    public static final String AGENT_FAULT_DIR = System.getProperty(AGENT_FAULT_DIR_PROP);

    /** The file that makes the agent throw an {@link Error}: {@code <nodeId>.agent-error}. */
    public static final String AGENT_ERROR_SUFFIX = ".agent-error";

    /** The file that makes the agent sleep inside its duty cycle: {@code <nodeId>.agent-wedge}. */
    public static final String AGENT_WEDGE_SUFFIX = ".agent-wedge";

    /** How often the agent looks for those files, in milliseconds. */
    public static final long AGENT_FAULT_CHECK_MS = 50;

    private FaultHooks()
    {
    }
}
