package io.chainkv.node.harness;

import io.chainkv.config.ChainMember;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One node of a {@link LocalChain}: a real child JVM with its own log, data directory and Aeron
 * directory, which a test can kill, pause, stop and start again.
 * <p>
 * Output of every start is appended to one log file. Not thread-safe: drive it from the test thread.
 */
public final class NodeProcess
{
    /** What a node prints on stdout once it serves: {@code chainkv-node ready node=<id> role=...}. */
    public static final String READY_PREFIX = "chainkv-node ready node=";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;

    private final ChainMember member;
    private final String role;
    private final Supplier<List<String>> command;
    private final Path logFile;
    private final Path dataDir;
    private final Path aeronDir;
    private final Duration startTimeout;
    private final List<Process> started = new ArrayList<>();
    private Process process;
    private long readyOffset;
    private String readyLine;

    NodeProcess(
        final ChainMember member,
        final String role,
        final Supplier<List<String>> command,
        final Path logFile,
        final Path dataDir,
        final Path aeronDir,
        final Duration startTimeout)
    {
        this.member = member;
        this.role = role;
        this.command = command;
        this.logFile = logFile;
        this.dataDir = dataDir;
        this.aeronDir = aeronDir;
        this.startTimeout = startTimeout;
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
     * @return HEAD, MIDDLE, TAIL or HEAD_TAIL: the node's place in the static configuration.
     */
    public String role()
    {
        return role;
    }

    /**
     * @return the ready line of the current start, or null before the node is ready.
     */
    public String readyLine()
    {
        return readyLine;
    }

    /**
     * @return PID of the current (or last) process of this node.
     */
    public long pid()
    {
        return current().pid();
    }

    public boolean isAlive()
    {
        return null != process && process.isAlive();
    }

    /**
     * @return true if the process is stopped by a signal (state T in /proc).
     */
    public boolean isPaused()
    {
        return isAlive() && "T".equals(procState(process.pid()));
    }

    public Path logFile()
    {
        return logFile;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public Path aeronDir()
    {
        return aeronDir;
    }

    /**
     * Kills the process with SIGKILL, waits until it is gone and deletes the Aeron directory it leaves
     * behind. Its data directory stays, for {@link #restart()}.
     */
    public void kill9()
    {
        final Process p = current();
        p.destroyForcibly();
        awaitExit(p, KILL_TIMEOUT);
        LocalChain.deleteRecursively(aeronDir);
    }

    /**
     * Sends SIGSTOP: the process stops where it is, as in a long GC pause.
     */
    public void sigstop()
    {
        signal("STOP");
    }

    /**
     * Sends SIGCONT to a process stopped by {@link #sigstop()}.
     */
    public void sigcont()
    {
        signal("CONT");
    }

    /**
     * Asks the node to shut down cleanly (SIGTERM) and waits for it to exit.
     *
     * @return the exit code.
     * @throws IllegalStateException if it did not exit within 30 s; it is then killed with SIGKILL.
     */
    public int stop()
    {
        final Process p = current();
        p.destroy();
        if (isPausedProcess(p))
        {
            // A stopped process handles SIGTERM only once it runs again.
            sendSignal(p.pid(), "CONT");
        }
        if (!waitFor(p, STOP_TIMEOUT))
        {
            p.destroyForcibly();
            awaitExit(p, KILL_TIMEOUT);
            LocalChain.deleteRecursively(aeronDir);
            throw new IllegalStateException("node " + id() + " (pid " + p.pid() + ") did not exit within " +
                STOP_TIMEOUT.toSeconds() + " s of SIGTERM; killed it\n" + logTail(LOG_TAIL_LINES));
        }
        return p.exitValue();
    }

    /**
     * Starts the node again on the same data directory and waits until it is ready.
     *
     * @throws IllegalStateException if it is still running, exits, or is not ready in time.
     */
    public void restart()
    {
        if (isAlive())
        {
            throw new IllegalStateException("node " + id() + " is still running (pid " + process.pid() + ")");
        }
        launch();
        awaitReady(Instant.now().plus(startTimeout));
    }

    /**
     * @param lines how many.
     * @return the last lines of the log, for failure messages.
     */
    public String logTail(final int lines)
    {
        try
        {
            if (!Files.exists(logFile))
            {
                return "(no log file " + logFile + ")";
            }
            final List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            final StringBuilder sb = new StringBuilder("---- last lines of ").append(logFile).append(" ----\n");
            for (final String line : all.subList(Math.max(0, all.size() - lines), all.size()))
            {
                sb.append(line).append('\n');
            }
            return sb.append("----").toString();
        }
        catch (final IOException ex)
        {
            return "(cannot read " + logFile + ": " + ex + ")";
        }
    }

    void launch()
    {
        try
        {
            Files.createDirectories(dataDir);
            Files.createDirectories(logFile.getParent());
            // A node killed with -9 leaves its Aeron directory behind.
            LocalChain.deleteRecursively(aeronDir);
            Files.writeString(logFile, "==== harness: starting " + id() + " at " + Instant.now() + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            readyOffset = Files.size(logFile);
            readyLine = null;
            final ProcessBuilder builder = new ProcessBuilder(command.get())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            process = builder.start();
            started.add(process);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start node " + id(), ex);
        }
    }

    void awaitReady(final Instant deadline)
    {
        final String prefix = READY_PREFIX + id() + " ";
        while (true)
        {
            final String line = findLineSinceStart(prefix);
            if (null != line)
            {
                readyLine = line;
                return;
            }
            if (!process.isAlive())
            {
                throw new IllegalStateException("node " + id() + " exited with code " + process.exitValue() +
                    " before it was ready\n" + logTail(LOG_TAIL_LINES));
            }
            if (Instant.now().isAfter(deadline))
            {
                throw new IllegalStateException("node " + id() + " (pid " + process.pid() + ") was not ready within " +
                    startTimeout.toSeconds() + " s\n" + logTail(LOG_TAIL_LINES));
            }
            sleep(50);
        }
    }

    /**
     * Kills every process this node started that still runs, and waits for each to be gone.
     */
    void destroyAll()
    {
        for (final Process p : started)
        {
            if (p.isAlive())
            {
                p.destroyForcibly();
            }
        }
        for (final Process p : started)
        {
            awaitExit(p, KILL_TIMEOUT);
        }
    }

    private String findLineSinceStart(final String prefix)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(logFile);
            final int from = (int)Math.min(readyOffset, bytes.length);
            final String text = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
            for (final String line : text.split("\n"))
            {
                if (line.startsWith(prefix))
                {
                    return line.trim();
                }
            }
            return null;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private Process current()
    {
        if (null == process)
        {
            throw new IllegalStateException("node " + id() + " was never started");
        }
        return process;
    }

    private void signal(final String name)
    {
        final Process p = current();
        if (!p.isAlive())
        {
            throw new IllegalStateException("node " + id() + " is not running");
        }
        sendSignal(p.pid(), name);
    }

    private static boolean isPausedProcess(final Process p)
    {
        return p.isAlive() && "T".equals(procState(p.pid()));
    }

    static void sendSignal(final long pid, final String name)
    {
        // Java has no API for SIGSTOP/SIGCONT; kill(1) by PID signals exactly this process.
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
                .redirectErrorStream(true)
                .start();
            final String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() != 0)
            {
                throw new IllegalStateException("kill -" + name + " " + pid + " failed: " + output.trim());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pid, ex);
        }
    }

    /**
     * @param pid a process.
     * @return its one-letter state from /proc (R, S, D, T, Z...), or "?" if it is gone.
     */
    static String procState(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            final String afterName = stat.substring(stat.lastIndexOf(')') + 2);
            return afterName.substring(0, 1);
        }
        catch (final IOException | RuntimeException ex)
        {
            return "?";
        }
    }

    private static boolean waitFor(final Process p, final Duration timeout)
    {
        try
        {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void awaitExit(final Process p, final Duration timeout)
    {
        if (!waitFor(p, timeout))
        {
            throw new IllegalStateException("process " + p.pid() + " still exists " + timeout.toSeconds() +
                " s after SIGKILL");
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
