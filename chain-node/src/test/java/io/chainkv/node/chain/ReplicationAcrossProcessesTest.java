package io.chainkv.node.chain;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.VersionMismatchException;
import io.chainkv.client.VersionedValue;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Three real node processes replicating over Aeron UDP, driven through the real client.
 */
class ReplicationAcrossProcessesTest
{
    private LocalChain chain;
    private ChainKvClient client;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, chain);
    }

    private void startChain()
    {
        chain = LocalChain.builder().nodes(3)
            .maxEntries(StoreInspection.MAX_ENTRIES)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .start();
        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config()));
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void tenThousandPipelinedWritesFromEightThreadsReachEveryNodeIdentically() throws Exception
    {
        startChain();
        final int threads = 8;
        final int keysPerThread = 1250;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                writers.add(executor.submit(() ->
                {
                    final Semaphore inFlight = new Semaphore(32);
                    final List<CompletableFuture<Long>> futures = new ArrayList<>();
                    for (int i = 0; i < keysPerThread; i++)
                    {
                        inFlight.acquireUninterruptibly();
                        final String key = "key-" + thread + "-" + i;
                        futures.add(client.putAsync(bytes(key), bytes("value-of-" + key))
                            .whenComplete((version, error) -> inFlight.release()));
                    }
                    for (final CompletableFuture<Long> future : futures)
                    {
                        future.join();
                    }
                    return null;
                }));
            }
            for (final Future<?> writer : writers)
            {
                writer.get(120, TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
        }

        for (int t = 0; t < threads; t++)
        {
            for (int i = 0; i < keysPerThread; i++)
            {
                final String key = "key-" + t + "-" + i;
                final VersionedValue read = client.get(bytes(key));
                assertNotNull(read, key);
                assertEquals("value-of-" + key, new String(read.value(), StandardCharsets.UTF_8));
            }
        }

        client.close();
        for (final NodeProcess node : chain.nodes())
        {
            // 143 = 128 + SIGTERM: the JVM reports the signal even when the shutdown ran to the end.
            assertEquals(143, node.stop(), "exit status of " + node.id());
            assertFalse(StoreInspection.wasRecovered(node), node.id() + " must have closed its store cleanly");
        }
        final long headDigest = StoreInspection.digestOf(chain.head());
        for (final NodeProcess node : chain.nodes())
        {
            assertEquals(threads * keysPerThread, StoreInspection.entryCountOf(node), node.id());
            assertEquals(headDigest, StoreInspection.digestOf(node), "digest of " + node.id());
        }
    }

    @Test
    void contendedCompareAndSetCountsEverySuccessExactlyOnce() throws Exception
    {
        startChain();
        final byte[] counter = bytes("counter");
        client.compareAndSet(counter, 0, bytes("0"));

        final int threads = 8;
        final int attemptsPerThread = 150;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        long successes = 0;
        try
        {
            final List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                results.add(executor.submit(() ->
                {
                    int won = 0;
                    for (int i = 0; i < attemptsPerThread; i++)
                    {
                        final VersionedValue current = client.get(counter);
                        final long next = Long.parseLong(new String(current.value(), StandardCharsets.UTF_8)) + 1;
                        try
                        {
                            client.compareAndSet(counter, current.version(), bytes(Long.toString(next)));
                            won++;
                        }
                        catch (final VersionMismatchException lost)
                        {
                            // Another thread got there first; that is the point of the test.
                        }
                    }
                    return won;
                }));
            }
            for (final Future<Integer> result : results)
            {
                successes += result.get(120, TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
        }

        final VersionedValue last = client.get(counter);
        assertEquals(successes, Long.parseLong(new String(last.value(), StandardCharsets.UTF_8)));
        client.close();
        for (final NodeProcess node : chain.nodes())
        {
            node.stop();
            assertEquals(Long.toString(successes), StoreInspection.valueOf(node, "counter"), node.id());
        }
    }
}
