package io.chainkv.faults;

import io.chainkv.faults.cluster.NetworkNamespaces;
import io.chainkv.transport.EmbeddedAeron;
import org.agrona.IoUtil;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What a fault run has open that outlives the run's process if it is not closed: the segment's clients (each with
 * a media driver directory {@code <aeron parent>/chainkv-client-<pid>-<random>}, /dev/shm by default) and its
 * cluster (node, master and ZooKeeper processes, and, as root, the network namespaces, veths and bridge).
 * <p>
 * {@link #closeAll()} closes them, newest first, and then sweeps: anything of this process still there (a
 * namespace or link with its tag, a client driver directory with its pid) is removed and reported, since it means
 * a close failed. The run calls it at the end of every segment, on every path out of the segment, and a JVM
 * shutdown hook calls it too, for a run interrupted (Ctrl-C, SIGTERM) in the middle of a segment.
 */
final class RunResources
{
    private static final String CLIENT_ROLE = "client";

    private final PrintStream log;
    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    /**
     * @param log where the sweep reports what it had to remove.
     */
    RunResources(final PrintStream log)
    {
        this.log = log;
    }

    /**
     * @param resource just opened; closed by the next {@link #closeAll()}.
     * @param <T>      its type.
     * @return the resource.
     */
    synchronized <T extends AutoCloseable> T add(final T resource)
    {
        open.push(resource);
        return resource;
    }

    /**
     * Closes everything added since the last call, newest first (clients before the cluster they talk to, the
     * cluster's processes before its network), then removes whatever of this process is still left.
     * Thread-safe and idempotent: the segment's own path out and the shutdown hook may both call it.
     *
     * @return what the sweep found left over and removed; empty when every close did its job.
     */
    synchronized List<String> closeAll()
    {
        while (!open.isEmpty())
        {
            final AutoCloseable resource = open.pop();
            try
            {
                resource.close();
            }
            catch (final Exception ex)
            {
                log.println("cleanup: closing " + resource + " failed: " + ex);
            }
        }
        final List<String> leftovers = new ArrayList<>(NetworkNamespaces.removeOwn());
        leftovers.addAll(removeClientDirectories());
        for (final String leftover : leftovers)
        {
            log.println("cleanup: removed " + leftover + " (left behind by a close that failed)");
        }
        return leftovers;
    }

    /**
     * @return a shutdown hook that closes everything still open: register it for the length of a run.
     */
    Thread shutdownHook()
    {
        return new Thread(
            () ->
            {
                closeAll();
                log.flush();
            },
            "fault-run-cleanup");
    }

    /**
     * Client driver directories of this process: only clients of this run make them, and closing a client deletes
     * its directory, so any found here once every client is closed were left behind.
     */
    private static List<String> removeClientDirectories()
    {
        final List<String> removed = new ArrayList<>();
        final String prefix = EmbeddedAeron.directoryPrefix(CLIENT_ROLE);
        final File[] dirs = EmbeddedAeron.parentDirectory().listFiles((dir, name) -> name.startsWith(prefix));
        if (null != dirs)
        {
            for (final File dir : dirs)
            {
                IoUtil.delete(dir, true);
                removed.add("client Aeron directory " + dir);
            }
        }
        return removed;
    }

    static void quietRemoveHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            // Already shutting down: the hook runs (or ran) and does the same.
        }
    }
}
