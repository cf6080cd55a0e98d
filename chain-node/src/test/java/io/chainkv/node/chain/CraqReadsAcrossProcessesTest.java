package io.chainkv.node.chain;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.ReadMode;
import io.chainkv.client.VersionedValue;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CRAQ across three real node processes: every member answers reads, and reads of keys under concurrent writes
 * stay linearizable (a read never returns less than a write acknowledged before it began, nor a version no write
 * produced). One chain serves every test (each uses its own keys, and counters are compared before and after), as
 * starting three JVMs costs more than the tests themselves.
 */
class CraqReadsAcrossProcessesTest
{
    private static LocalChain chain;
    private static ChainKvClient client;

    @BeforeAll
    static void startChain()
    {
        chain = LocalChain.builder().nodes(3)
            .maxEntries(StoreInspection.MAX_ENTRIES)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .start();
        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config()));
    }

    @AfterAll
    static void tearDown()
    {
        CloseHelper.quietCloseAll(client, chain);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static long counter(final NodeProcess node, final String name)
    {
        final Map<String, Long> counters = NodeCountersReader.read(node.aeronDir().toFile());
        return counters.getOrDefault(name, 0L);
    }

    @Test
    void everyMemberAnswersLinearizableReads()
    {
        final Map<String, Long> before = readsAnsweredByNode();
        for (int i = 0; i < 50; i++)
        {
            client.put(bytes("key-" + i), bytes("value-" + i));
        }
        for (int round = 0; round < 6; round++)
        {
            for (int i = 0; i < 50; i++)
            {
                final VersionedValue read = client.get(bytes("key-" + i));
                assertNotNull(read);
                assertEquals("value-" + i, new String(read.value(), StandardCharsets.UTF_8));
            }
        }
        for (final NodeProcess node : chain.nodes())
        {
            final long answered = counter(node, "reads answered") - before.get(node.id());
            assertTrue(answered >= 50, node.id() + " answered " + answered + " of 300 reads");
        }
    }

    private static Map<String, Long> readsAnsweredByNode()
    {
        final Map<String, Long> answered = new java.util.HashMap<>();
        for (final NodeProcess node : chain.nodes())
        {
            answered.put(node.id(), counter(node, "reads answered"));
        }
        return answered;
    }

    @Test
    void tailReadsGoToTheTailOnly()
    {
        client.put(bytes("k"), bytes("v"));
        final Map<String, Long> before = readsAnsweredByNode();
        for (int i = 0; i < 30; i++)
        {
            assertEquals("v", new String(client.get(bytes("k"), ReadMode.TAIL).value(), StandardCharsets.UTF_8));
        }
        assertEquals(30, counter(chain.tail(), "reads answered") - before.get(chain.tail().id()));
        assertEquals(0, counter(chain.head(), "reads answered") - before.get(chain.head().id()));
    }

    @Test
    void readsOfKeysUnderConcurrentWritesNeverGoBackBeforeAnAcknowledgedWrite() throws Exception
    {
        final int keys = 4;
        final AtomicLongArray acknowledged = new AtomicLongArray(keys);
        final Map<Long, String> written = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong reads = new AtomicLong();
        final ExecutorService executor = Executors.newFixedThreadPool(6);
        final List<Future<?>> tasks = new ArrayList<>();
        try
        {
            for (int w = 0; w < 2; w++)
            {
                final int writer = w;
                tasks.add(executor.submit(() ->
                {
                    for (long n = 0; running.get(); n++)
                    {
                        final int k = (int)(n % keys);
                        final String value = "w" + writer + "-" + n;
                        final long version = client.put(bytes("hot-" + k), bytes(value));
                        written.put(version, value);
                        acknowledged.accumulateAndGet(k, version, Math::max);
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 4; r++)
            {
                tasks.add(executor.submit(() ->
                {
                    final long[] lastSeen = new long[keys];
                    for (long n = 0; running.get(); n++)
                    {
                        final int k = (int)(n % keys);
                        final long floor = acknowledged.get(k);
                        final VersionedValue read = client.get(bytes("hot-" + k));
                        final long version = null == read ? 0 : read.version();
                        if (version < floor || version < lastSeen[k])
                        {
                            violations.add("hot-" + k + " read version " + version + " after write " + floor +
                                " was acknowledged and " + lastSeen[k] + " was read");
                        }
                        lastSeen[k] = version;
                        reads.incrementAndGet();
                        if (null != read)
                        {
                            final String value = new String(read.value(), StandardCharsets.UTF_8);
                            final String expected = written.get(version);
                            if (null != expected && !expected.equals(value))
                            {
                                violations.add("hot-" + k + " version " + version + " read as " + value +
                                    " but was written as " + expected);
                            }
                        }
                    }
                    return null;
                }));
            }
            // Enough reads racing enough writes, however fast this machine is today.
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (reads.get() < 4_000 && System.nanoTime() < deadlineNs)
            {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertTrue(reads.get() >= 4_000, "only " + reads.get() + " reads in 60 s");
        }
        finally
        {
            running.set(false);
            for (final Future<?> task : tasks)
            {
                task.get(30, TimeUnit.SECONDS);
            }
            executor.shutdownNow();
        }

        assertTrue(violations.isEmpty(), violations.size() + " violations, first: " + violations.peek());
        long versionQueries = 0;
        for (final NodeProcess node : chain.nodes())
        {
            versionQueries += counter(node, "version queries sent");
        }
        assertTrue(versionQueries > 0, "reads of keys being written must have needed the tail's word");
        assertTrue(counter(chain.tail(), "version queries answered") > 0, "the tail answered version queries");
    }

    @Test
    void readYourWritesSeesTheClientsOwnLatestWriteAtEveryMember()
    {
        for (int i = 0; i < 300; i++)
        {
            final long version = client.put(bytes("own"), bytes("v" + i));
            final VersionedValue read = client.get(bytes("own"), ReadMode.READ_YOUR_WRITES);
            assertNotNull(read);
            assertTrue(read.version() >= version, "read version " + read.version() + " after own write " + version);
            assertTrue(client.sessionVersion() >= version);
        }
    }

    @Test
    void eventualReadsNeverAnswerAVersionNoWriteCommitted()
    {
        final Map<Long, String> written = new ConcurrentHashMap<>();
        int answeredWithAValue = 0;
        for (int i = 0; i < 200; i++)
        {
            written.put(client.put(bytes("e"), bytes("v" + i)), "v" + i);
            // May be old, even "absent" while a member has not yet heard the first write was committed; never a
            // version nobody wrote, nor a value that is not that version's.
            final VersionedValue read = client.get(bytes("e"), ReadMode.EVENTUAL);
            if (null != read)
            {
                answeredWithAValue++;
                assertEquals(written.get(read.version()), new String(read.value(), StandardCharsets.UTF_8),
                    "version " + read.version());
            }
        }
        assertTrue(answeredWithAValue > 100, answeredWithAValue + " of 200 eventual reads saw any committed write");
    }
}
