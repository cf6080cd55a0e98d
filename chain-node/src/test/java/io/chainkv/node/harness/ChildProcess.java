package io.chainkv.node.harness;

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
 * A real child process of a test (a node, a master, a ZooKeeper server): started from a command, ready once it
 * prints a given line, and killed, paused, stopped or started again by the test. {@link NodeProcess} and the
 * harnesses of other modules build on it.
 * <p>
 * Output of every start is appended to one log file. Signals go to the PID of a process this object started,
 * never to anything else. Not thread-safe: drive it from the test thread.
 */
public final class ChildProcess
{
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;

    private final String name;
    private final String readyPrefix;
    private final Supplier<List<String>> command;
    private final Path logFile;
    private final Path dataDir;
    private final Path aeronDir;
    private final Duration startTimeout;
    private final List<Process> started = new ArrayList<>();
    private Process process;
    private long readyOffset;
    private String readyLine;

    /**
     * @param name         what the process is, for messages, e.g. "node n1".
     * @param readyPrefix  start of the line the process prints when ready; output from its latest start only.
     * @param command      the command line, asked for at every start.
     * @param logFile      stdout and stderr of every start are appended here.
     * @param dataDir      its data directory, created before each start and kept across restarts.
     * @param aeronDir     its Aeron directory, deleted before each start and after a kill; null if none.
     * @param startTimeout how long a start waits for the ready line.
     */
    public ChildProcess(
        final String name,
        final String readyPrefix,
        final Supplier<List<String>> command,
        final Path logFile,
        final Path dataDir,
        final Path aeronDir,
        final Duration startTimeout)
    {
        this.name = name;
        this.readyPrefix = readyPrefix;
        this.command = command;
        this.logFile = logFile;
        this.dataDir = dataDir;
        this.aeronDir = aeronDir;
        this.startTimeout = startTimeout;
    }

    public String name()
    {
        return name;
    }

    /**
     * @return the ready line of the current start, or null before the process is ready.
     */
    public String readyLine()
    {
        return readyLine;
    }

    /**
     * @return PID of the current (or last) process.
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
     * behind (if it has one). Its data directory stays, for {@link #restart()}.
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
     * Asks the process to shut down cleanly (SIGTERM) and waits for it to exit.
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
            throw new IllegalStateException(name + " (pid " + p.pid() + ") did not exit within " +
                STOP_TIMEOUT.toSeconds() + " s of SIGTERM; killed it\n" + logTail(LOG_TAIL_LINES));
        }
        return p.exitValue();
    }

    /**
     * Starts the process again on the same data directory and waits until it is ready.
     *
     * @throws IllegalStateException if it is still running, exits, or is not ready in time.
     */
    public void restart()
    {
        if (isAlive())
        {
            throw new IllegalStateException(name + " is still running (pid " + process.pid() + ")");
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

    /**
     * Starts the process and waits for its ready line.
     *
     * @throws IllegalStateException if it is running already, exits, or is not ready in time.
     */
    public void start()
    {
        restart();
    }

    /**
     * Starts the process in the background; {@link #awaitReady} waits for it. Lets a caller start many
     * processes first and wait for them together.
     */
    public void launch()
    {
        try
        {
            if (null != dataDir)
            {
                Files.createDirectories(dataDir);
            }
            Files.createDirectories(logFile.getParent());
            // A process killed with -9 leaves its Aeron directory behind.
            LocalChain.deleteRecursively(aeronDir);
            Files.writeString(logFile, "==== harness: starting " + name + " at " + Instant.now() + "\n",
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
            throw new UncheckedIOException("cannot start " + name, ex);
        }
    }

    /**
     * @param deadline when to give up.
     * @throws IllegalStateException if the process exits or is not ready by the deadline; with its log's tail.
     */
    public void awaitReady(final Instant deadline)
    {
        final String prefix = readyPrefix;
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
                throw new IllegalStateException(name + " exited with code " + process.exitValue() +
                    " before it was ready\n" + logTail(LOG_TAIL_LINES));
            }
            if (Instant.now().isAfter(deadline))
            {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") was not ready within " +
                    startTimeout.toSeconds() + " s\n" + logTail(LOG_TAIL_LINES));
            }
            sleep(50);
        }
    }

    /**
     * Kills every process this object started that still runs, and waits for each to be gone.
     */
    public void destroyAll()
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
            throw new IllegalStateException(name + " was never started");
        }
        return process;
    }

    private void signal(final String signalName)
    {
        final Process p = current();
        if (!p.isAlive())
        {
            throw new IllegalStateException(name + " is not running");
        }
        sendSignal(p.pid(), signalName);
    }

    private static boolean isPausedProcess(final Process p)
    {
        return p.isAlive() && "T".equals(procState(p.pid()));
    }

    public static void sendSignal(final long pid, final String name)
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
    public static String procState(final long pid)
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
