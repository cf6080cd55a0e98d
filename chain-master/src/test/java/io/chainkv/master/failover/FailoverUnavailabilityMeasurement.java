package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures write unavailability after kill -9 of the head, a middle node and the tail, with default
 * settings: the longest gap between two successful writes of a client writing without pause around the kill.
 * <p>
 * Not part of the test suite (tagged "measurement"): run it with {@code scripts/measure-failover.sh}. It
 * prints a table and writes it to {@code chain-master/target/failover-measurement.txt}. It asserts nothing
 * about time; speed is measured, not asserted.
 */
@Tag("measurement")
class FailoverUnavailabilityMeasurement
{
    private static final int TRIALS = Integer.getInteger("chainkv.failover.trials", 10);

    @Test
    void writeUnavailabilityAfterKill9OfEachRole() throws Exception
    {
        final StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
            "write unavailability after kill -9 (ms), %d trials per role, default settings%n" +
            "%-7s %8s %8s %8s  trials%n", TRIALS, "role", "median", "max", "min"));
        for (final int position : new int[]{ 0, 1, 2 })
        {
            final List<Double> gapsMs = new ArrayList<>();
            for (int trial = 0; trial < TRIALS; trial++)
            {
                gapsMs.add(oneTrial(position));
                System.out.printf(Locale.ROOT, "position %d trial %d: %.0f ms%n", position, trial, gapsMs.get(trial));
            }
            final List<Double> sorted = new ArrayList<>(gapsMs);
            Collections.sort(sorted);
            final double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2) :
                (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
            report.append(String.format(Locale.ROOT, "%-7s %8.0f %8.0f %8.0f  %s%n",
                new String[]{ "head", "middle", "tail" }[position], median, sorted.get(sorted.size() - 1), sorted.get(0),
                gapsMs.stream().map((g) -> String.format(Locale.ROOT, "%.0f", g)).toList()));
        }
        System.out.println(report);
        Files.writeString(Path.of("target", "failover-measurement.txt"), report.toString(), StandardCharsets.UTF_8);
    }

    private static double oneTrial(final int position) throws InterruptedException, IOException
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).masters(1)
            .maxEntries(100_000).maxDataBytes(64L * 1024 * 1024).startTimeout(Duration.ofSeconds(120)).start();
            ChainKvClient client = ChainKvClient.connect(cluster.clientConfig()))
        {
            for (int i = 0; i < 200; i++)
            {
                client.put(utf8("warm-" + i), utf8("v"));
            }
            final ChainConfig chain = cluster.currentConfig().chain(0);
            final long[] completions = new long[1 << 20];
            final int[] count = new int[1];
            final AtomicBoolean running = new AtomicBoolean(true);
            final Thread writer = new Thread(() ->
            {
                for (int i = 0; running.get() && count[0] < completions.length; i++)
                {
                    try
                    {
                        client.put(utf8("k-" + i), utf8("v"));
                        completions[count[0]++] = System.nanoTime();
                    }
                    catch (final RuntimeException ex)
                    {
                        // Outcome unknown during the failover; only successes mark availability.
                    }
                }
            }, "measured-writer");
            writer.start();
            Thread.sleep(1000);

            final long killNs = System.nanoTime();
            cluster.node(chain.members().get(position).nodeId()).kill9();
            cluster.awaitChain((c) -> c.members().size() == 2, Duration.ofSeconds(30));
            Thread.sleep(1000);
            running.set(false);
            writer.join(TimeUnit.SECONDS.toMillis(30));

            long widestGapNs = 0;
            for (int i = 1; i < count[0]; i++)
            {
                if (completions[i] > killNs)
                {
                    widestGapNs = Math.max(widestGapNs, completions[i] - Math.max(completions[i - 1], killNs));
                }
            }
            return widestGapNs / 1e6;
        }
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
