package io.chainkv.node;

import io.chainkv.config.FatalErrors;
import io.chainkv.config.LoggingDefaults;
import io.chainkv.node.harness.JvmCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a ChainKV process does with an {@link Error} on one of its threads (docs/failures.md, "The replication thread
 * dies or is stuck"; docs/operations.md, "Exit status"), in a child JVM started with scripts/jvm.options and the
 * handler {@link NodeMain} and the master's main install.
 */
@Timeout(120)
class HaltOnErrorTest
{
    @TempDir
    Path dir;

    /**
     * The child: installs the handler as the mains do, then does what its argument says.
     */
    public static final class Child
    {
        public static void main(final String[] args) throws Exception
        {
            LoggingDefaults.apply();
            FatalErrors.installHaltOnError("chainkv-test");
            switch (args[0])
            {
                case "error-on-a-thread" ->
                {
                    final Thread thread = new Thread(() ->
                    {
                        throw new InternalError("a mapped page went away");
                    }, "chainkv-replication-t1");
                    thread.start();
                    thread.join();
                }
                case "exception-on-a-thread" ->
                {
                    final Thread thread = new Thread(() ->
                    {
                        throw new IllegalStateException("a bug, not fatal");
                    }, "chainkv-worker");
                    thread.start();
                    thread.join();
                }
                case "error-escalated-from-an-executor" ->
                {
                    final ExecutorService executor = Executors.newSingleThreadScheduledExecutor();
                    executor.execute(() ->
                    {
                        try
                        {
                            throw new StackOverflowError("deep");
                        }
                        catch (final Error error)
                        {
                            FatalErrors.escalate(error);
                        }
                    });
                    executor.shutdown();
                    executor.awaitTermination(30, TimeUnit.SECONDS);
                }
                case "out-of-heap" ->
                {
                    final List<long[]> hog = new ArrayList<>();
                    final Thread thread = new Thread(() ->
                    {
                        try
                        {
                            while (true)
                            {
                                hog.add(new long[1 << 20]);
                            }
                        }
                        catch (final Throwable swallowed)
                        {
                            // As a library thread that catches everything would.
                        }
                    }, "chainkv-hog");
                    thread.start();
                    thread.join();
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
            Thread.sleep(200);
            System.err.println("child still running");
            System.exit(0);
        }
    }

    private record Outcome(int status, String output)
    {
        String lastLine()
        {
            final String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private Outcome run(final String what, final String... jvmOptions) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(JvmCommand.javaExecutable());
        command.addAll(JvmCommand.childJvmOptions());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", JvmCommand.classpath(), Child.class.getName(), what));
        final Path log = dir.resolve(what + ".log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        try
        {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), what + ": the child did not end");
            return new Outcome(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    @Test
    void anErrorOnAThreadHaltsTheProcessWithItsOwnStatusAndALastLineNamingTheThread() throws Exception
    {
        final Outcome outcome = run("error-on-a-thread");

        assertEquals(FatalErrors.EXIT_STATUS, outcome.status(), outcome.output());
        assertTrue(outcome.lastLine().contains("FATAL java.lang.InternalError: a mapped page went away on thread " +
            "chainkv-replication-t1"), outcome.output());
    }

    @Test
    void anExceptionOnAThreadIsLoggedAndTheProcessGoesOn() throws Exception
    {
        final Outcome outcome = run("exception-on-a-thread");

        assertEquals(0, outcome.status(), outcome.output());
        assertTrue(outcome.output().contains("thread chainkv-worker died of an uncaught exception"), outcome.output());
        assertTrue(outcome.lastLine().contains("child still running"), outcome.output());
    }

    @Test
    void anErrorAnExecutorWouldSwallowHaltsTheProcessWhenEscalated() throws Exception
    {
        final Outcome outcome = run("error-escalated-from-an-executor");

        assertEquals(FatalErrors.EXIT_STATUS, outcome.status(), outcome.output());
        assertTrue(outcome.lastLine().contains("FATAL java.lang.StackOverflowError: deep"), outcome.output());
    }

    @Test
    void runningOutOfHeapEndsTheProcessEvenWhenTheThreadSwallowsTheError() throws Exception
    {
        // -XX:+ExitOnOutOfMemoryError comes from scripts/jvm.options.
        final Outcome outcome = run("out-of-heap", "-Xmx32m");

        assertEquals(3, outcome.status(), outcome.output());
        assertTrue(outcome.output().contains("Terminating due to java.lang.OutOfMemoryError"), outcome.output());
    }
}
