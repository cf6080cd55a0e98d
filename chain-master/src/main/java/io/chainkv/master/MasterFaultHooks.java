package io.chainkv.master;

/**
 * Faults a test can ask of a master, to check what the cluster does about them. Each is a system property, read once at
 * class load; all are off unless set, and nothing in a normal start sets them.
 * <ul>
 *     <li>{@value #FAULT_DIR_PROP}: a directory; when the file {@code <masterId>}{@value #EVALUATION_ERROR_SUFFIX}
 *     appears in it, the master's next evaluation deletes it and throws an {@link Error}: a dead evaluation thread,
 *     which must halt the master so a standby takes over (docs/failures.md, "The replication thread dies or is
 *     stuck").</li>
 * </ul>
 */
public final class MasterFaultHooks
{
    public static final String FAULT_DIR_PROP = "chainkv.test.master.fault.dir";

    /** Where a test drops {@code <masterId>.evaluation-error}; null (the default) never looks. */
    public static final String FAULT_DIR = System.getProperty(FAULT_DIR_PROP);

    /** The file that makes the master's next evaluation throw an {@link Error}. */
    public static final String EVALUATION_ERROR_SUFFIX = ".evaluation-error";

    private MasterFaultHooks()
    {
    }
}
