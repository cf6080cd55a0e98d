package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.VersionedValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client threads writing without pause while a test breaks the cluster, keeping the evidence needed to prove
 * that no acknowledged write was lost and none was applied twice.
 * <p>
 * Thread {@code t} writes, for i = 1, 2, 3, ..., the key {@code w<t>-<i>} (a loss shows as a missing key)
 * and then {@code w<t>-last = i} (a write applied twice, i.e. an old one replayed after a newer one, shows as
 * a final value below the last acknowledged i). An iteration whose writes were not both acknowledged (a timeout
 * during the failure: outcome unknown) is remembered, and its key may be missing.
 */
final class ContinuousWriters implements AutoCloseable
{
    private final ChainKvClient client;
    private final int threadCount;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLongArray lastAcknowledged;
    private final AtomicLongArray lastAttempted;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<Set<Long>> unacknowledged = new ArrayList<>();

    ContinuousWriters(final ChainKvClient client, final int threadCount)
    {
        this.client = client;
        this.threadCount = threadCount;
        this.lastAcknowledged = new AtomicLongArray(threadCount);
        this.lastAttempted = new AtomicLongArray(threadCount);
        for (int t = 0; t < threadCount; t++)
        {
            unacknowledged.add(ConcurrentHashMap.newKeySet());
        }
        for (int t = 0; t < threadCount; t++)
        {
            final int thread = t;
            threads.add(new Thread(() -> write(thread), "writer-" + t));
        }
        threads.forEach(Thread::start);
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private void write(final int thread)
    {
        for (long i = 1; running.get(); i++)
        {
            lastAttempted.set(thread, i);
            try
            {
                client.put(utf8("w" + thread + "-" + i), utf8(Long.toString(i)));
                client.put(utf8("w" + thread + "-last"), utf8(Long.toString(i)));
                lastAcknowledged.set(thread, i);
                acknowledged.incrementAndGet();
            }
            catch (final RuntimeException ex)
            {
                // Outcome unknown (timed out during the failure); the checks allow for either.
                unacknowledged.get(thread).add(i);
                failed.incrementAndGet();
            }
        }
    }

    /**
     * Waits until this many more iterations have been acknowledged: proof the cluster serves writes.
     */
    void awaitProgress(final long more, final Duration timeout) throws InterruptedException
    {
        final long target = acknowledged.get() + more;
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (acknowledged.get() < target)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("writes did not make progress: " + acknowledged.get() + " acknowledged, " +
                    failed.get() + " failed, target " + target);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Stops the writers and checks, through {@code reader}, every acknowledged write of every thread.
     */
    void stopAndVerify(final ChainKvClient reader) throws InterruptedException
    {
        close();
        for (int t = 0; t < threadCount; t++)
        {
            final long acked = lastAcknowledged.get(t);
            for (long i = 1; i <= acked; i++)
            {
                if (unacknowledged.get(t).contains(i))
                {
                    continue;
                }
                final VersionedValue value = reader.get(utf8("w" + t + "-" + i));
                assertNotNull(value, "acknowledged write w" + t + "-" + i + " was lost");
                assertEquals(Long.toString(i), new String(value.value(), StandardCharsets.UTF_8));
            }
            if (acked > 0)
            {
                final long last = Long.parseLong(new String(reader.get(utf8("w" + t + "-last")).value(),
                    StandardCharsets.UTF_8));
                assertTrue(last >= acked && last <= lastAttempted.get(t), "w" + t + "-last is " + last +
                    " but " + acked + " was acknowledged last (and " + lastAttempted.get(t) + " attempted): " +
                    "an old write was applied again");
            }
        }
        assertTrue(acknowledged.get() > 0, "nothing was acknowledged at all");
    }

    long acknowledged()
    {
        return acknowledged.get();
    }

    /**
     * @param thread a writer thread.
     * @return the last i whose two writes it saw acknowledged (0 for none).
     */
    long lastAcknowledged(final int thread)
    {
        return lastAcknowledged.get(thread);
    }

    int threadCount()
    {
        return threadCount;
    }

    public void close() throws InterruptedException
    {
        running.set(false);
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
