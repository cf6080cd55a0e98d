package io.chainkv.node.store;

import io.chainkv.protocol.ProtocolLimits;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.chainkv.node.store.StoreTestSupport.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * kill -9 of a process writing to a store, for real: a child JVM ({@link StoreWriterMain}) writes without end and is
 * killed with SIGKILL mid-write; the store must then reopen here with every write the child reported.
 */
class ChainStoreCrashRecoveryTest
{
    private static final long WRITES_BEFORE_KILL = 20_000;
    private static final long CHILD_TIMEOUT_MS = 60_000;

    @TempDir
    Path dir;

    private Process child;
    private ChainStore store;

    @AfterEach
    void cleanUp() throws InterruptedException
    {
        if (null != child)
        {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        if (null != store)
        {
            store.close();
        }
    }

    @RepeatedTest(2)
    void recoversAfterKill9OfWriterProcess() throws Exception
    {
        final Path dataDir = dir.resolve("store");
        final AtomicLong lastReported = new AtomicLong();
        final List<String> otherOutput = Collections.synchronizedList(new ArrayList<>());
        child = startWriter(dataDir, "write");
        final Thread reader = new Thread(() -> readOutput(child, lastReported, otherOutput), "writer-output");
        reader.start();

        final long deadlineMs = System.currentTimeMillis() + CHILD_TIMEOUT_MS;
        while (lastReported.get() < WRITES_BEFORE_KILL)
        {
            if (!child.isAlive() || System.currentTimeMillis() > deadlineMs)
            {
                fail("writer did not reach " + WRITES_BEFORE_KILL + " writes (at " + lastReported.get() + ", alive=" +
                    child.isAlive() + "); its output: " + otherOutput);
            }
            Thread.sleep(5);
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(10, TimeUnit.SECONDS), "killed writer did not exit");
        reader.join(10_000);
        final long last = lastReported.get();

        final long openStartNs = System.nanoTime();
        store = ChainStore.open(StoreWriterMain.config(dataDir));
        final long openMs = (System.nanoTime() - openStartNs) / 1_000_000;
        System.out.println("writer killed after " + last + " reported writes; recovery open took " + openMs + " ms");

        assertTrue(store.recoveredFromUncleanShutdown());
        // The writer goes on writing between its last report and the kill, so more may be there; never less.
        final long applied = store.lastAppliedSeq();
        assertTrue(applied >= last, "lastApplied " + applied + " after report of " + last);
        assertEveryReportedWriteIsThere(last, applied);
        // The reported write's outcome is remembered, unless the writer ran a whole exactly-once window past its last
        // report before the kill (a loaded machine reads the reports late): then the newer writes' outcomes took its
        // slot, and a retry of it is refused as too old, never applied again.
        assertEquals(applied - last < ProtocolLimits.EXACTLY_ONCE_WINDOW ? ClientTable.DUPLICATE : ClientTable.TOO_OLD,
            store.clients().lookup(1, last, new ClientResult()));

        final ChainStore recovered = store;
        assertTimeoutPreemptively(Duration.ofSeconds(20),
            () -> writeAfterRecovery(recovered, applied + 1),
            "writes after recovery hang (a segment lock left held by the killed process?)");
        final long dataBytes = store.dataBytes();
        store.close();
        store = ChainStore.open(StoreWriterMain.config(dataDir));
        assertEquals(dataBytes, store.dataBytes(), "recounted data bytes survive a clean reopen");
    }

    @Test
    void recoversWhenKilledWhileHoldingASegmentLock() throws Exception
    {
        final Path dataDir = dir.resolve("store");
        final List<String> output = Collections.synchronizedList(new ArrayList<>());
        child = startWriter(dataDir, StoreWriterMain.HOLD_LOCK);
        final Thread reader = new Thread(() -> readOutput(child, new AtomicLong(), output), "writer-output");
        reader.start();
        final long deadlineMs = System.currentTimeMillis() + CHILD_TIMEOUT_MS;
        while (!output.contains(StoreWriterMain.LOCK_HELD))
        {
            if (!child.isAlive() || System.currentTimeMillis() > deadlineMs)
            {
                fail("writer did not take the lock; its output: " + output);
            }
            Thread.sleep(5);
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(10, TimeUnit.SECONDS), "killed writer did not exit");
        reader.join(10_000);

        store = ChainStore.open(StoreWriterMain.config(dataDir));

        assertTrue(store.recoveredFromUncleanShutdown());
        assertEquals(1, store.lastAppliedSeq());
        final ChainStore recovered = store;
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> writeAfterRecovery(recovered, 2),
            "writes after recovery hang: the killed process's segment lock is still held");
    }

    private void assertEveryReportedWriteIsThere(final long last, final long applied)
    {
        final StoredValue value = new StoredValue();
        for (long seq = Math.max(1, last - StoreWriterMain.KEYS + 1); seq <= last; seq++)
        {
            final UnsafeBuffer key = StoreTestSupport.bytes(StoreWriterMain.keyOf(seq));
            assertTrue(store.read(key, 0, key.capacity(), value), "key of write " + seq + " missing");
            // Writes after the last reported one (up to what the store says it applied) may have landed, however
            // far the writer got before the kill reached it; anything else must be exact.
            final long version = value.version();
            final boolean unreportedWriteOfSameKey = version > last && version <= applied + 1 &&
                version % StoreWriterMain.KEYS == seq % StoreWriterMain.KEYS;
            final long expected = unreportedWriteOfSameKey ? version : seq;
            assertEquals(expected, version, "version of " + StoreWriterMain.keyOf(seq));
            assertEquals(StoreWriterMain.isDelete(expected), value.isTombstone(), "tombstone of write " + expected);
            if (!value.isTombstone())
            {
                final int length = StoreWriterMain.valueLengthOf(expected);
                assertEquals(length, value.valueLength(), "length of write " + expected);
                assertTrue(matchesPattern(value.value(), length, (int)expected), "bytes of write " + expected);
            }
        }
    }

    private static void writeAfterRecovery(final ChainStore store, final long firstSeq)
    {
        final StoredValue value = new StoredValue();
        final UnsafeBuffer payload = StoreTestSupport.bytes("after recovery");
        for (long seq = firstSeq; seq < firstSeq + StoreWriterMain.KEYS; seq++)
        {
            final UnsafeBuffer key = StoreTestSupport.bytes(StoreWriterMain.keyOf(seq));
            store.put(key, 0, key.capacity(), seq, payload, 0, payload.capacity());
            store.clients().record(1, seq, (byte)0, seq);
            assertTrue(store.read(key, 0, key.capacity(), value));
            assertEquals(seq, value.version());
        }
    }

    private Process startWriter(final Path dataDir, final String mode) throws IOException
    {
        final String jvmOptions = System.getProperty("chainkv.jvm.options");
        if (null == jvmOptions)
        {
            fail("system property chainkv.jvm.options (path of scripts/jvm.options) is not set; run through Maven");
        }
        final List<String> command = List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "@" + jvmOptions,
            "-Xmx256m",
            "-cp", System.getProperty("java.class.path"),
            StoreWriterMain.class.getName(),
            dataDir.toString(),
            mode);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void readOutput(final Process process, final AtomicLong lastReported, final List<String> otherOutput)
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (line.startsWith(StoreWriterMain.WRITE_PREFIX))
                {
                    try
                    {
                        lastReported.set(Long.parseLong(line.substring(StoreWriterMain.WRITE_PREFIX.length())));
                    }
                    catch (final NumberFormatException ex)
                    {
                        // A line cut by the kill: the previous report stands.
                    }
                }
                else if (otherOutput.size() < 200)
                {
                    otherOutput.add(line);
                }
            }
        }
        catch (final IOException ex)
        {
            // The pipe breaks when the child dies; whatever was read stands.
        }
    }
}
