package io.chainkv.transport;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A media driver embedded in this process together with the Aeron client connected to it.
 * <p>
 * Every ChainKV process has its own driver directory, so processes never share or delete each other's
 * directory; the directory is removed on {@link #close()}. Buffers are kept small (see
 * {@link TransportSettings}) so a process needs tens of megabytes of /dev/shm, not hundreds.
 */
public final class EmbeddedAeron implements AutoCloseable
{
    /** Overrides the parent directory of driver directories (default: /dev/shm where it exists). */
    public static final String AERON_DIR_PARENT_PROP = "chainkv.aeron.dir.parent";

    private static final int COUNTERS_BUFFER_LENGTH = 1024 * 1024;
    private static final long CLIENT_CONDUCTOR_SLEEP_MS = 1;

    private final MediaDriver driver;
    private final Aeron aeron;
    private final File directory;
    private final AgentInvoker driverInvoker;
    private final AgentInvoker conductorInvoker;

    private EmbeddedAeron(final MediaDriver driver, final Aeron aeron, final File directory)
    {
        this.driver = driver;
        this.aeron = aeron;
        this.directory = directory;
        this.driverInvoker = driver.sharedAgentInvoker();
        this.conductorInvoker = aeron.conductorAgentInvoker();
    }

    /**
     * @param role short name for the directory, e.g. "node-n1" or "client".
     * @return a unique directory for a driver of this process.
     */
    public static File uniqueDirectory(final String role)
    {
        return new File(parentDirectory(), directoryPrefix(role) +
            Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL));
    }

    /**
     * @return where {@link #uniqueDirectory} puts driver directories: {@value #AERON_DIR_PARENT_PROP} if set, else
     * /dev/shm where it exists, else the temporary directory.
     */
    public static File parentDirectory()
    {
        final String parentProp = System.getProperty(AERON_DIR_PARENT_PROP);
        return null != parentProp ? new File(parentProp) :
            new File("/dev/shm").isDirectory() ? new File("/dev/shm") : new File(System.getProperty("java.io.tmpdir"));
    }

    /**
     * @param role as given to {@link #uniqueDirectory}.
     * @return how the names of this process's directories for that role begin ({@code chainkv-<role>-<pid>-}), so a
     * harness can find the ones it left.
     */
    public static String directoryPrefix(final String role)
    {
        return "chainkv-" + role + "-" + ProcessHandle.current().pid() + "-";
    }

    /**
     * Starts a driver in the given directory, with a thread of its own (SHARED threading), and connects a client to
     * it whose conductor has a thread of its own too. Any thread may use the client.
     *
     * @param directory driver directory; deleted if it exists, and again on close.
     * @param settings  idle strategy and buffer sizes.
     * @return the running driver and client.
     */
    public static EmbeddedAeron launch(final File directory, final TransportSettings settings)
    {
        return launch(directory, settings, false);
    }

    /**
     * Starts a driver and a client that run no threads: whoever owns them calls {@link #invoke()} in its duty cycle
     * (Aeron's INVOKER threading mode for the driver, the conductor agent invoker for the client). One thread then
     * does the process's data path and its transport, which on a small shared machine saves two busy threads and the
     * hand-offs between them. Every blocking Aeron call (adding a publication, subscription or counter) must come from
     * that same thread: while it waits for the driver's answer it runs the driver itself.
     *
     * @param directory driver directory; deleted if it exists, and again on close.
     * @param settings  idle strategy and buffer sizes.
     * @return the driver and client, to be driven by {@link #invoke()}.
     */
    public static EmbeddedAeron launchInvoked(final File directory, final TransportSettings settings)
    {
        return launch(directory, settings, true);
    }

    /**
     * As {@link #launchInvoked(File, TransportSettings)}, with room for at least {@code counters} counters in the
     * driver: a node holds a few per client it answers ({@code ReplyRouter.countersFor}).
     *
     * @param directory the driver's directory.
     * @param settings  transport settings.
     * @param counters  counters the driver must have room for.
     * @param invoked   true to run the driver on the caller's duty cycle ({@link #invoke()}), false for its own thread.
     * @return the driver and its client.
     */
    public static EmbeddedAeron launch(
        final File directory, final TransportSettings settings, final int counters, final boolean invoked)
    {
        final int length = BitUtil.findNextPositivePowerOfTwo(counters * CountersReader.COUNTER_LENGTH);
        return launch(directory, settings, invoked, Math.max(COUNTERS_BUFFER_LENGTH, length));
    }

    private static EmbeddedAeron launch(final File directory, final TransportSettings settings, final boolean invoked)
    {
        return launch(directory, settings, invoked, COUNTERS_BUFFER_LENGTH);
    }

    private static EmbeddedAeron launch(
        final File directory, final TransportSettings settings, final boolean invoked, final int countersBufferLength)
    {
        // What earlier processes killed with kill -9 left in shared memory goes before this one adds its own.
        AbandonedDriverDirectories.sweepOnce();
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(directory.getAbsolutePath())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(invoked ? ThreadingMode.INVOKER : ThreadingMode.SHARED)
            .sharedIdleStrategy(settings.newIdleStrategy())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(settings.termLength())
            .ipcTermBufferLength(64 * 1024)
            .counterValuesBufferLength(countersBufferLength)
            .mtuLength(settings.mtu())
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false);

        MediaDriver driver = null;
        try
        {
            driver = MediaDriver.launch(driverCtx);
            final Aeron.Context clientCtx = new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                // The client conductor only keeps the driver alive and notices new images; polling it with the
                // data path's 100 us backoff cost ~5% of a core per process for nothing (JFR, docs/performance.md).
                .idleStrategy(new SleepingMillisIdleStrategy(CLIENT_CONDUCTOR_SLEEP_MS))
                .driverTimeoutMs(TimeUnit.SECONDS.toMillis(10));
            if (invoked)
            {
                clientCtx.useConductorAgentInvoker(true).driverAgentInvoker(driver.sharedAgentInvoker());
            }
            final Aeron aeron = Aeron.connect(clientCtx);
            return new EmbeddedAeron(driver, aeron, directory);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            IoUtil.delete(directory, true);
            throw ex;
        }
    }

    /**
     * One duty cycle of the driver and the client conductor; call it from the owning thread's duty cycle when this
     * was made by {@link #launchInvoked}. Does nothing otherwise.
     *
     * @return work done (0 when idle).
     */
    public int invoke()
    {
        int work = 0;
        if (null != driverInvoker)
        {
            work += driverInvoker.invoke();
        }
        if (null != conductorInvoker)
        {
            work += conductorInvoker.invoke();
        }
        return work;
    }

    /**
     * @return true if made by {@link #launchInvoked}: its owner must call {@link #invoke()}.
     */
    public boolean isInvoked()
    {
        return null != driverInvoker;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    public File directory()
    {
        return directory;
    }

    public void close()
    {
        try
        {
            CloseHelper.closeAll(aeron, driver);
        }
        finally
        {
            // Even if the client or driver failed to close: a directory left in /dev/shm outlives the process.
            IoUtil.delete(directory, true);
        }
    }
}
