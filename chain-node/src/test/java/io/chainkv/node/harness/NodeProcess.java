package io.chainkv.node.harness;

import io.chainkv.config.ChainMember;
import io.chainkv.node.replication.NodeCountersReader;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One node of a {@link LocalChain} (or of another module's cluster harness): a real child JVM with its own log,
 * data directory and Aeron directory, which a test can kill, pause, stop and start again. The process work is
 * {@link ChildProcess}'s; this adds what makes it a node.
 * <p>
 * Output of every start is appended to one log file. Not thread-safe: drive it from the test thread.
 */
public final class NodeProcess
{
    /** What a node prints on stdout once it serves: {@code chainkv-node ready node=<id> ...}. */
    public static final String READY_PREFIX = "chainkv-node ready node=";

    private final ChainMember member;
    private final String role;
    private final ChildProcess process;

    NodeProcess(
        final ChainMember member,
        final String role,
        final Supplier<List<String>> command,
        final Path logFile,
        final Path dataDir,
        final Path aeronDir,
        final Duration startTimeout)
    {
        this(member, role, new ChildProcess("node " + member.nodeId(), READY_PREFIX + member.nodeId() + " ", command,
            logFile, dataDir, aeronDir, startTimeout));
    }

    /**
     * @param member  the node's id and endpoint.
     * @param role    its place in a static configuration, or null when its role comes from ZooKeeper.
     * @param process the process running the node; ready on {@link #READY_PREFIX}{@code <id> }.
     */
    public NodeProcess(final ChainMember member, final String role, final ChildProcess process)
    {
        this.member = member;
        this.role = role;
        this.process = process;
    }

    public String id()
    {
        return member.nodeId();
    }

    public ChainMember member()
    {
        return member;
    }

    /**
     * @return host:port the node receives on.
     */
    public String endpoint()
    {
        return member.endpoint();
    }

    /**
     * @return HEAD, MIDDLE, TAIL or HEAD_TAIL: the node's place in the static configuration; null when the
     * role comes from ZooKeeper (ask the cluster's configuration).
     */
    public String role()
    {
        return role;
    }

    /**
     * @return the process underneath.
     */
    public ChildProcess process()
    {
        return process;
    }

    /**
     * @return the ready line of the current start, or null before the node is ready.
     */
    public String readyLine()
    {
        return process.readyLine();
    }

    /**
     * @return PID of the current (or last) process of this node.
     */
    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return true if the process is stopped by a signal (state T in /proc).
     */
    public boolean isPaused()
    {
        return process.isPaused();
    }

    public Path logFile()
    {
        return process.logFile();
    }

    public Path dataDir()
    {
        return process.dataDir();
    }

    public Path aeronDir()
    {
        return process.aeronDir();
    }

    /**
     * Kills the process with SIGKILL, waits until it is gone and deletes the Aeron directory it leaves
     * behind. Its data directory stays, for {@link #restart()}.
     */
    public void kill9()
    {
        process.kill9();
    }

    /**
     * Sends SIGSTOP: the process stops where it is, as in a long GC pause.
     */
    public void sigstop()
    {
        process.sigstop();
    }

    /**
     * Sends SIGCONT to a process stopped by {@link #sigstop()}.
     */
    public void sigcont()
    {
        process.sigcont();
    }

    /**
     * Asks the node to shut down cleanly (SIGTERM) and waits for it to exit.
     *
     * @return the exit code.
     * @throws IllegalStateException if it did not exit within 30 s; it is then killed with SIGKILL.
     */
    public int stop()
    {
        return process.stop();
    }

    /**
     * Starts the node again on the same data directory and waits until it is ready.
     *
     * @throws IllegalStateException if it is still running, exits, or is not ready in time.
     */
    public void restart()
    {
        process.restart();
    }

    /**
     * @param lines how many.
     * @return the last lines of the log, for failure messages.
     */
    public String logTail(final int lines)
    {
        return process.logTail(lines);
    }

    /**
     * Waits until one of the node's counters ({@code NodeCountersReader}'s names) reaches a value.
     *
     * @param name    of the counter, e.g. "malformed frames dropped".
     * @param atLeast the value to wait for.
     * @param timeout how long to wait before failing.
     * @throws AssertionError naming the counter and its last value if it does not get there in time.
     */
    public void awaitCounter(final String name, final long atLeast, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        long value = 0;
        while (System.nanoTime() < deadlineNs)
        {
            value = NodeCountersReader.read(aeronDir().toFile()).getOrDefault(name, 0L);
            if (value >= atLeast)
            {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError(id() + " counter '" + name + "' is " + value + ", expected at least " + atLeast);
    }

    void launch()
    {
        process.launch();
    }

    void awaitReady(final Instant deadline)
    {
        process.awaitReady(deadline);
    }

    void destroyAll()
    {
        process.destroyAll();
    }

    static void sendSignal(final long pid, final String name)
    {
        ChildProcess.sendSignal(pid, name);
    }

    static String procState(final long pid)
    {
        return ChildProcess.procState(pid);
    }
}
