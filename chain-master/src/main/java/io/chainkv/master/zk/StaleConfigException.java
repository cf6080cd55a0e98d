package io.chainkv.master.zk;

/**
 * A configuration write was refused because what it was based on is no longer true: another writer changed or
 * created the config znode first, or the writer's fence znode (its leadership) is gone.
 * <p>
 * This is how a deposed master is stopped from overwriting its successor's configuration. The right reaction
 * is to re-read and re-plan, and only if still the leader.
 */
public final class StaleConfigException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was stale.
     * @param cause   the ZooKeeper error.
     */
    public StaleConfigException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
