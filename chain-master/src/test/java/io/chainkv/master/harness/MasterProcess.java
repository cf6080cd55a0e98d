package io.chainkv.master.harness;

import io.chainkv.master.cli.ClusterStatus;
import io.chainkv.node.harness.ChildProcess;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * One master of a {@link LocalCluster}: a real {@code MasterMain} process a test can kill, pause and start
 * again, and ask whether it leads (as ZooKeeper's latch says, not as the process believes).
 */
public final class MasterProcess
{
    /** What a master prints on stdout once it has joined the election. */
    public static final String READY_PREFIX = "chainkv-master ready id=";

    private final String id;
    private final ChildProcess process;
    private final Supplier<String> leaderId;

    MasterProcess(final String id, final ChildProcess process, final Supplier<String> leaderId)
    {
        this.id = id;
        this.process = process;
        this.leaderId = leaderId;
    }

    public String id()
    {
        return id;
    }

    /**
     * @return true if this master holds the lowest node of the masters' LeaderLatch in ZooKeeper now.
     * @see ClusterStatus#readMasters
     */
    public boolean isLeader()
    {
        return id.equals(leaderId.get());
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Kills the master with SIGKILL and waits until it is gone; its latch node goes with its session.
     */
    public void kill9()
    {
        process.kill9();
    }

    /**
     * Sends SIGSTOP: the master freezes with its session still open until the session times out.
     */
    public void sigstop()
    {
        process.sigstop();
    }

    /**
     * Sends SIGCONT to a master stopped by {@link #sigstop()}.
     */
    public void sigcont()
    {
        process.sigcont();
    }

    /**
     * @return the exit code after SIGTERM.
     */
    public int stop()
    {
        return process.stop();
    }

    /**
     * Starts the master again and waits until it has joined the election.
     */
    public void restart()
    {
        process.restart();
    }

    public Path logFile()
    {
        return process.logFile();
    }

    /**
     * @param lines how many.
     * @return the last lines of its log, for failure messages.
     */
    public String logTail(final int lines)
    {
        return process.logTail(lines);
    }

    /**
     * @return the process underneath.
     */
    public ChildProcess process()
    {
        return process;
    }

    public String toString()
    {
        return "master " + id;
    }
}
