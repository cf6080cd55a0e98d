package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Measures healing: how fast a spare receives the tail's state (MB/s and entries/s) for a store of
 * {@code chainkv.measure.keys} keys (default 1,000,000) of 100-byte values, the write throughput while it does,
 * and the time from kill -9 of a member to the chain's full replication factor with a spare available.
 * <p>
 * Not part of the test suite (tagged "measurement"): run it with {@code scripts/measure-transfer.sh}. It prints a
 * report and writes it to {@code chain-master/target/transfer-measurement.txt}; it asserts nothing about time.
 */
@Tag("measurement")
class StateTransferMeasurement
{
    private static final int KEYS = Integer.getInteger("chainkv.measure.keys", 1_000_000);
    private static final int VALUE_BYTES = 100;
    private static final long BUCKET_MS = 250;
    private static final Duration WAIT = Duration.ofMinutes(5);

    @Test
    void transferRateWriteDipAndTimeToFullReplicationFactor() throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(4).masters(1).replicationFactor(3)
            .maxEntries(Math.max(100_000, KEYS * 5L / 4)).maxDataBytes(Math.max(64L << 20, KEYS * 256L))
            .startTimeout(Duration.ofSeconds(180)).start();
            ChainKvClient client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(30))))
        {
            final ChainConfig before = cluster.awaitChain((chain) -> chain.members().size() == 3, WAIT);
            final byte[] value = new byte[VALUE_BYTES];
            final long loadStartNs = System.nanoTime();
            final List<CompletableFuture<Long>> window = new ArrayList<>(512);
            for (int i = 0; i < KEYS; i++)
            {
                window.add(client.putAsync(String.format(Locale.ROOT, "key%09d", i).getBytes(StandardCharsets.US_ASCII),
                    value));
                if (window.size() == 512)
                {
                    window.forEach(CompletableFuture::join);
                    window.clear();
                }
            }
            window.forEach(CompletableFuture::join);
            final double loadSeconds = (System.nanoTime() - loadStartNs) / 1e9;

            // A steady writer: a bounded window of async puts, counted per bucket.
            final AtomicLongArray perBucket = new AtomicLongArray(4096);
            final AtomicBoolean running = new AtomicBoolean(true);
            final long writerStartNs = System.nanoTime();
            final Semaphore inFlight = new Semaphore(64);
            final Thread writer = new Thread(() ->
            {
                for (long i = 0; running.get(); i++)
                {
                    inFlight.acquireUninterruptibly();
                    client.putAsync(String.format(Locale.ROOT, "key%09d", i % KEYS).getBytes(StandardCharsets.US_ASCII),
                        value).whenComplete((version, failure) ->
                        {
                            inFlight.release();
                            if (null == failure)
                            {
                                final int bucket = (int)((System.nanoTime() - writerStartNs) / 1_000_000 / BUCKET_MS);
                                if (bucket < perBucket.length())
                                {
                                    perBucket.incrementAndGet(bucket);
                                }
                            }
                        });
                }
            }, "steady-writer");
            writer.start();
            Thread.sleep(5_000);

            final String spare = cluster.nodes().stream().map(NodeProcess::id)
                .filter((id) -> before.indexOf(id) < 0).findFirst().orElseThrow();
            final long killNs = System.nanoTime();
            cluster.node(before.tail().nodeId()).kill9();
            final ChainConfig joining = cluster.awaitChain((chain) -> null != chain.joiner(), WAIT);
            final long joinerNs = System.nanoTime();
            final ChainConfig full = cluster.awaitChain((chain) -> chain.members().size() == 3 &&
                chain.tail().nodeId().equals(spare), WAIT);
            final long fullNs = System.nanoTime();
            Thread.sleep(5_000);
            running.set(false);
            writer.join();

            final Map<String, Long> counters = NodeCountersReader.read(cluster.node(spare).aeronDir().toFile());
            final double transferSeconds = (fullNs - joinerNs) / 1e9;
            final long bytes = counters.get("transfer bytes received");
            final long entries = counters.get("transfer entries received");
            final int killBucket = (int)((killNs - writerStartNs) / 1_000_000 / BUCKET_MS);
            final int joinerBucket = (int)((joinerNs - writerStartNs) / 1_000_000 / BUCKET_MS);
            final int fullBucket = (int)((fullNs - writerStartNs) / 1_000_000 / BUCKET_MS);
            final double before5s = rate(perBucket, Math.max(0, killBucket - 16), killBucket);
            final double during = rate(perBucket, joinerBucket, fullBucket);
            final double after = rate(perBucket, fullBucket + 2, Math.min(perBucket.length(), fullBucket + 18));

            final String report = String.format(Locale.ROOT,
                "state transfer: %,d keys of %d B (loaded in %.1f s, %.0f writes/s)%n" +
                "  joiner %s assigned %.0f ms after kill -9 of tail %s; full replication factor %.0f ms after the kill%n" +
                "  transfer (joiner assigned -> promoted): %.2f s, %,d entries, %.1f MB -> %.0f entries/s, %.1f MB/s%n" +
                "  steady writer (64 in flight): %.0f writes/s before, %.0f during the transfer, %.0f after%n" +
                "  chain now %s%n",
                KEYS, VALUE_BYTES, loadSeconds, KEYS / loadSeconds, spare, (joinerNs - killNs) / 1e6,
                before.tail().nodeId(), (fullNs - killNs) / 1e6, transferSeconds, entries, bytes / 1e6,
                entries / transferSeconds, bytes / 1e6 / transferSeconds, before5s, during, after, full.members());
            System.out.println(report);
            Files.writeString(Path.of("target", "transfer-measurement.txt"), report, StandardCharsets.UTF_8);
            if (null == joining)
            {
                throw new AssertionError("no joiner");
            }
        }
    }

    private static double rate(final AtomicLongArray perBucket, final int from, final int to)
    {
        long sum = 0;
        for (int i = from; i < to && i < perBucket.length(); i++)
        {
            sum += perBucket.get(i);
        }
        return to > from ? sum * 1000.0 / ((to - from) * BUCKET_MS) : 0;
    }
}
