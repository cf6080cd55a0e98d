package io.chainkv.perf;

import io.chainkv.client.ChainKvClient;

import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load phase: writes every key once, so reads and CAS of the run find them. Keeps a bounded number of
 * async puts in flight; not measured, so it may allocate.
 */
public final class Loader
{
    private Loader()
    {
    }

    /**
     * @param clients     clients to spread the puts over.
     * @param keyFormat   key bytes.
     * @param keyCount    keys 0 .. keyCount-1 are written.
     * @param valueSize   bytes per value.
     * @param inFlight    puts outstanding at most.
     * @param seed        of the value bytes.
     * @return puts that failed (the load goes on; the run will count misses).
     * @throws InterruptedException if interrupted.
     */
    public static long load(
        final ChainKvClient[] clients,
        final KeyFormat keyFormat,
        final long keyCount,
        final int valueSize,
        final int inFlight,
        final long seed) throws InterruptedException
    {
        final Semaphore permits = new Semaphore(inFlight);
        final AtomicLong failures = new AtomicLong();
        final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        final SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < keyCount; i++)
        {
            permits.acquire();
            final byte[] key = keyFormat.newKey();
            keyFormat.write(i, key);
            final byte[] value = new byte[valueSize];
            random.nextBytes(value);
            clients[(int)(i % clients.length)].putAsync(key, value).whenComplete((version, failure) ->
            {
                if (null != failure)
                {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, failure);
                }
                permits.release();
            });
        }
        if (!permits.tryAcquire(inFlight, 2, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("load phase: answers still missing after 2 minutes");
        }
        if (failures.get() == keyCount && keyCount > 0)
        {
            throw new IllegalStateException("load phase: every put failed, first: " + firstFailure.get(),
                firstFailure.get());
        }
        return failures.get();
    }
}
