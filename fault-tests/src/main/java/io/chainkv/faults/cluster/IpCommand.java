package io.chainkv.faults.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs iproute2's {@code ip} and says what went wrong when it fails.
 */
final class IpCommand
{
    private IpCommand()
    {
    }

    /**
     * @param args arguments after {@code ip}.
     * @return its output.
     * @throws IllegalStateException if it exits non-zero or cannot run; the message holds its output.
     */
    static String run(final String... args)
    {
        final Result result = tryRun(args);
        if (result.exitCode != 0)
        {
            throw new IllegalStateException("ip " + String.join(" ", args) + " failed (exit " + result.exitCode +
                "): " + result.output.trim());
        }
        return result.output;
    }

    /**
     * @param args arguments after {@code ip}.
     * @return exit code and output; exit code -1 if {@code ip} could not be run at all.
     */
    static Result tryRun(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), output);
        }
        catch (final IOException ex)
        {
            return new Result(-1, ex.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    record Result(int exitCode, String output)
    {
    }
}
