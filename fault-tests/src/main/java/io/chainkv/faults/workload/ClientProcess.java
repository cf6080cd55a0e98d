package io.chainkv.faults.workload;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ChainKvException;
import io.chainkv.client.KeyTooLargeException;
import io.chainkv.client.RequestTimeoutException;
import io.chainkv.client.SessionsFullException;
import io.chainkv.client.StoreFullException;
import io.chainkv.client.UnavailableException;
import io.chainkv.client.ValueTooLargeException;
import io.chainkv.client.VersionMismatchException;
import io.chainkv.client.VersionedValue;
import io.chainkv.faults.history.History;
import io.chainkv.faults.history.OpType;
import io.chainkv.faults.history.Operation;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;

/**
 * One logical client: a thread doing one random get / put / delete / cas at a time on the {@link KeySpace}, and
 * recording each in the {@link History}. Values are {@code c<process>-<counter>}, unique per write.
 * <p>
 * How an answer becomes an outcome (docs/client.md): an answer, a CAS version mismatch included, is OK;
 * {@link UnavailableException} and {@link RequestTimeoutException} are UNKNOWN for writes when they say the outcome
 * is unknown, else FAILED; size and capacity refusals are FAILED (nothing applied); anything else is UNKNOWN for a
 * write and FAILED for a read.
 * <p>
 * A churning process ({@link #churning}) works through a client instance of its own that it closes and replaces by a
 * newly connected one every few operations, as short-lived applications, scripts and restarts do: each new instance is
 * a new client to the chain's exactly-once table and to the nodes' transports.
 */
public final class ClientProcess implements Runnable
{
    private final int id;
    private final Supplier<ChainKvClient> connect;
    private final int opsPerClient;
    private ChainKvClient client;
    private int opsOnClient;
    private final History history;
    private final KeySpace keys;
    private final SplittableRandom random;
    private final AtomicBoolean running;
    private final long maxPauseNs;
    private final Map<String, Long> lastSeenVersion = new HashMap<>();
    private long counter;

    /**
     * @param id         process id in the history (&gt; 0).
     * @param client     the client it sends through (may be shared with other processes).
     * @param history    where it records.
     * @param keys       the keys it works on.
     * @param seed       its random seed.
     * @param running    cleared to stop it after its current operation.
     * @param maxPauseNs longest pause between two operations (a random pause keeps the rate moderate).
     */
    public ClientProcess(
        final int id,
        final ChainKvClient client,
        final History history,
        final KeySpace keys,
        final long seed,
        final AtomicBoolean running,
        final long maxPauseNs)
    {
        this(id, client, null, 0, history, keys, seed, running, maxPauseNs);
    }

    private ClientProcess(
        final int id,
        final ChainKvClient client,
        final Supplier<ChainKvClient> connect,
        final int opsPerClient,
        final History history,
        final KeySpace keys,
        final long seed,
        final AtomicBoolean running,
        final long maxPauseNs)
    {
        this.id = id;
        this.client = client;
        this.connect = connect;
        this.opsPerClient = opsPerClient;
        this.history = history;
        this.keys = keys;
        this.random = new SplittableRandom(seed);
        this.running = running;
        this.maxPauseNs = maxPauseNs;
    }

    /**
     * A process that connects a client instance of its own, and a new one after every {@code opsPerClient}
     * operations; it closes each when done with it.
     *
     * @param id           process id in the history (&gt; 0).
     * @param connect      connects a new client instance (may throw while the cluster cannot be reached).
     * @param opsPerClient operations per client instance (&gt; 0).
     * @param history      where it records.
     * @param keys         the keys it works on.
     * @param seed         its random seed.
     * @param running      cleared to stop it after its current operation.
     * @param maxPauseNs   longest pause between two operations.
     * @return the process.
     */
    public static ClientProcess churning(
        final int id,
        final Supplier<ChainKvClient> connect,
        final int opsPerClient,
        final History history,
        final KeySpace keys,
        final long seed,
        final AtomicBoolean running,
        final long maxPauseNs)
    {
        if (opsPerClient <= 0)
        {
            throw new IllegalArgumentException("opsPerClient must be > 0: " + opsPerClient);
        }
        return new ClientProcess(id, null, connect, opsPerClient, history, keys, seed, running, maxPauseNs);
    }

    public void run()
    {
        try
        {
            while (running.get())
            {
                if (null == connect || haveClient())
                {
                    step();
                }
                if (maxPauseNs > 0)
                {
                    LockSupport.parkNanos(random.nextLong(maxPauseNs));
                }
            }
        }
        finally
        {
            if (null != connect && null != client)
            {
                client.close();
            }
        }
    }

    /**
     * A churning process's client for its next operation: the current one, or a new one when the current one has
     * done its share.
     *
     * @return false when no client could be connected now (the next turn tries again).
     */
    private boolean haveClient()
    {
        if (null != client && opsOnClient < opsPerClient)
        {
            opsOnClient++;
            return true;
        }
        if (null != client)
        {
            client.close();
            client = null;
        }
        try
        {
            client = connect.get();
            opsOnClient = 1;
            return true;
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * Does one random operation and records it.
     */
    void step()
    {
        final String key = keys.next(random.nextInt(keys.slots()));
        final int dice = random.nextInt(100);
        if (dice < 40)
        {
            get(key);
        }
        else if (dice < 65)
        {
            put(key);
        }
        else if (dice < 90)
        {
            cas(key);
        }
        else
        {
            delete(key);
        }
    }

    private void get(final String key)
    {
        final Operation op = history.invoke(id, key, OpType.GET, null, 0);
        try
        {
            final VersionedValue read = client.get(utf8(key));
            final long now = history.nowNs();
            if (null == read)
            {
                lastSeenVersion.remove(key);
                history.complete(op.readOk(now, null, 0));
            }
            else
            {
                lastSeenVersion.put(key, read.version());
                history.complete(op.readOk(now, new String(read.value(), StandardCharsets.UTF_8), read.version()));
            }
        }
        catch (final RuntimeException ex)
        {
            history.complete(op.failed(history.nowNs(), describe(ex)));
        }
    }

    private void put(final String key)
    {
        final String value = nextValue();
        final Operation op = history.invoke(id, key, OpType.PUT, value, 0);
        try
        {
            final long version = client.put(utf8(key), utf8(value));
            lastSeenVersion.put(key, version);
            history.complete(op.writeOk(history.nowNs(), version));
        }
        catch (final RuntimeException ex)
        {
            history.complete(writeFailure(op, ex));
        }
    }

    private void cas(final String key)
    {
        final String value = nextValue();
        final long expected = lastSeenVersion.getOrDefault(key, 0L);
        final Operation op = history.invoke(id, key, OpType.CAS, value, expected);
        try
        {
            final long version = client.compareAndSet(utf8(key), expected, utf8(value));
            lastSeenVersion.put(key, version);
            history.complete(op.writeOk(history.nowNs(), version));
        }
        catch (final VersionMismatchException ex)
        {
            final long now = history.nowNs();
            lastSeenVersion.put(key, ex.actualVersion());
            history.complete(op.casMismatch(now, ex.actualVersion()));
        }
        catch (final RuntimeException ex)
        {
            history.complete(writeFailure(op, ex));
        }
    }

    private void delete(final String key)
    {
        final Operation op = history.invoke(id, key, OpType.DELETE, null, 0);
        try
        {
            final boolean existed = client.delete(utf8(key));
            lastSeenVersion.remove(key);
            history.complete(op.deleteOk(history.nowNs(), existed));
        }
        catch (final RuntimeException ex)
        {
            history.complete(writeFailure(op, ex));
        }
    }

    private Operation writeFailure(final Operation op, final RuntimeException ex)
    {
        final long now = history.nowNs();
        return certainlyNotApplied(ex) ? op.failed(now, describe(ex)) : op.unknown(now, describe(ex));
    }

    /**
     * @param ex what a write threw.
     * @return true only when the client says the write was certainly not applied.
     */
    static boolean certainlyNotApplied(final RuntimeException ex)
    {
        if (ex instanceof UnavailableException unavailable)
        {
            return !unavailable.outcomeUnknown();
        }
        if (ex instanceof RequestTimeoutException timeout)
        {
            return !timeout.outcomeUnknown();
        }
        // A full session table refuses before sequencing; SESSION_EXPIRED says an earlier attempt may have been applied.
        return ex instanceof KeyTooLargeException || ex instanceof ValueTooLargeException ||
            ex instanceof StoreFullException || ex instanceof SessionsFullException;
    }

    private static String describe(final RuntimeException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        final String name = ex instanceof ChainKvException ? ex.getClass().getSimpleName() : ex.getClass().getName();
        return name + ": " + (message.length() > 160 ? message.substring(0, 160) + "..." : message);
    }

    private String nextValue()
    {
        return "c" + id + "-" + (++counter);
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
