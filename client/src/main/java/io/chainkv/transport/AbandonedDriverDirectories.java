package io.chainkv.transport;

import io.aeron.CommonContext;
import org.agrona.IoUtil;

import java.io.File;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes the media driver directories that ChainKV processes killed with {@code kill -9} left behind (under /dev/shm
 * by default, where they hold shared memory until someone deletes them). A directory is ChainKV's by its name,
 * {@code chainkv-<role>-<pid>-<hex>} ({@link EmbeddedAeron#uniqueDirectory}); it is abandoned when no process has that
 * pid and its driver has not beaten its heartbeat for {@link #DRIVER_TIMEOUT_MS}: both, so that a live driver in
 * another pid namespace sharing the directory is never touched. Every process sweeps once, when it starts its first
 * driver.
 */
public final class AbandonedDriverDirectories
{
    /** How long a driver's heartbeat must be silent before its directory counts as abandoned. */
    public static final long DRIVER_TIMEOUT_MS = 10_000;

    private static final Pattern NAME = Pattern.compile("chainkv-.+-(\\d+)-[0-9a-f]+");
    private static final AtomicBoolean SWEPT = new AtomicBoolean();

    private AbandonedDriverDirectories()
    {
    }

    /**
     * Sweeps {@link EmbeddedAeron#parentDirectory()} once per process.
     *
     * @return directories removed (0 on any call but the first).
     */
    static int sweepOnce()
    {
        return SWEPT.compareAndSet(false, true) ? remove(EmbeddedAeron.parentDirectory(), DRIVER_TIMEOUT_MS) : 0;
    }

    /**
     * @param parent           the directory holding driver directories.
     * @param driverTimeoutMs  how long a driver's heartbeat must be silent.
     * @return how many abandoned ChainKV driver directories were removed.
     */
    public static int remove(final File parent, final long driverTimeoutMs)
    {
        final File[] entries = parent.listFiles(File::isDirectory);
        if (null == entries)
        {
            return 0;
        }
        final long self = ProcessHandle.current().pid();
        int removed = 0;
        for (final File directory : entries)
        {
            final Matcher name = NAME.matcher(directory.getName());
            if (!name.matches())
            {
                continue;
            }
            final long pid;
            try
            {
                pid = Long.parseLong(name.group(1));
            }
            catch (final NumberFormatException ex)
            {
                continue;
            }
            if (pid != self && ProcessHandle.of(pid).isEmpty() &&
                !CommonContext.isDriverActive(directory, driverTimeoutMs, (message) -> {}))
            {
                IoUtil.delete(directory, true);
                removed += directory.exists() ? 0 : 1;
            }
        }
        return removed;
    }
}
