package io.chainkv.perf;

import io.chainkv.transport.TransportSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Names the idle-strategy profile in use. The default profile (backoff to short parks) is kind to a shared
 * 2-core machine; the low-latency profile ({@code -Dchainkv.idle.strategy=yield} or {@code busy}) is for
 * dedicated cores. Nodes do not report their settings over the wire, so the cluster's profile is read from
 * the line each node logs at start ("... idle=backoff(maxPark=100000ns) ...") when the runner knows where
 * the logs are.
 */
public final class IdleProfile
{
    private static final Pattern IDLE = Pattern.compile("idle=([a-z]+\\(maxPark=[0-9]+ns\\))");

    private IdleProfile()
    {
    }

    /**
     * @param settings transport settings.
     * @return the profile's name.
     */
    public static String nameOf(final TransportSettings settings)
    {
        switch (settings.idleStrategyName())
        {
            case "backoff":
                return "default (backoff, max park " + settings.idleMaxParkNs() / 1000 + " us)";
            case "yield":
            case "busy":
                return "low-latency (" + settings.idleStrategyName() + ")";
            default:
                return "custom (" + settings.idleStrategyName() + ")";
        }
    }

    /**
     * @param logsDir directory of node logs (*.log), or null.
     * @return the distinct idle settings the nodes logged at their last start, or a hint when unknown.
     */
    public static String ofCluster(final Path logsDir)
    {
        if (null == logsDir || !Files.isDirectory(logsDir))
        {
            return "unknown (nodes do not report it over the wire; see each node's start line in its log, or " +
                "start the cluster with the runner's --local)";
        }
        final TreeSet<String> found = new TreeSet<>();
        final List<Path> logs = new ArrayList<>();
        try (Stream<Path> files = Files.list(logsDir))
        {
            files.filter((file) -> file.toString().endsWith(".log")).sorted().forEach(logs::add);
            for (final Path log : logs)
            {
                String last = null;
                for (final String line : Files.readAllLines(log, StandardCharsets.UTF_8))
                {
                    final Matcher matcher = IDLE.matcher(line);
                    if (matcher.find())
                    {
                        last = matcher.group(1);
                    }
                }
                if (null != last)
                {
                    found.add(log.getFileName().toString().replace(".log", "") + ": " + last);
                }
            }
        }
        catch (final IOException ex)
        {
            return "unknown (cannot read " + logsDir + ": " + ex.getMessage() + ")";
        }
        return found.isEmpty() ? "unknown (no start line with idle= in " + logsDir + ")" : String.join(", ", found);
    }
}
