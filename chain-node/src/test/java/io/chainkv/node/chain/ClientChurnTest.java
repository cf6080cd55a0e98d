package io.chainkv.node.chain;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.SessionExpiredException;
import io.chainkv.client.SessionsFullException;
import io.chainkv.client.VersionedValue;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many short-lived client instances (each connects, writes once and closes) against three real node processes with a
 * small session table: every write is answered or refused clearly (SESSIONS_FULL), none is half-applied, and the
 * members end identical. Before sessions, the table filled for good after {@code 2 × maxClients} instances and a
 * static chain stopped answering new instances after about 1,000 of them (its driver's counters ran out).
 * <p>
 * {@code -Dchainkv.churn.clients=N} (default 500), {@code -Dchainkv.churn.threads=T} (4) and
 * {@code -Dchainkv.churn.capacity=C} (3 sessions) size the run; {@code -Dchainkv.churn.shared.driver} (true by default) has
 * every instance use one media driver (as applications on one host may) instead of starting its own, which is what
 * limits the rate; scripts/measure-client-churn.sh runs 100,000 instances and prints the figures. The store holds a key per
 * instance.
 */
class ClientChurnTest
{
    private static final int CLIENTS = Integer.getInteger("chainkv.churn.clients", 500);
    private static final int THREADS = Integer.getInteger("chainkv.churn.threads", 2);
    private static final int CAPACITY = Integer.getInteger("chainkv.churn.capacity", 3);
    // The suite shares one (its 500 instances take ~10 s, not ~70 s); scripts/measure-client-churn.sh says which.
    private static final boolean SHARED_DRIVER =
        Boolean.parseBoolean(System.getProperty("chainkv.churn.shared.driver", "true"));
    private static final long MAX_ENTRIES = Math.max(StoreInspection.MAX_ENTRIES, 2L * CLIENTS);
    private static final int REPLY_PUBLICATIONS = 64;
    private static final long SESSION_TIMEOUT_MS = 5_000;
    private static final long NOT_WRITTEN = -1;
    private static final long REFUSED = -2;
    private static final long OUTCOME_UNKNOWN = -3;

    private LocalChain chain;
    private EmbeddedAeron sharedDriver;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(sharedDriver, chain);
    }

    @Test
    void shortLivedClientsAreEachAnsweredOrRefusedClearlyAndMembersEndIdentical() throws Exception
    {
        chain = LocalChain.builder().nodes(3)
            .maxEntries(MAX_ENTRIES)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .nodeArgs("--max-client-sessions", Integer.toString(CAPACITY),
                "--client-session-timeout-ms", Long.toString(SESSION_TIMEOUT_MS),
                "--max-reply-publications", Integer.toString(REPLY_PUBLICATIONS))
            .start();
        final ClientConfig clientConfig = new ClientConfig().chainConfig(chain.config());
        if (SHARED_DRIVER)
        {
            sharedDriver = EmbeddedAeron.launch(EmbeddedAeron.uniqueDirectory("churn-clients"),
                TransportSettings.fromSystemProperties());
            clientConfig.aeronDirectoryName(sharedDriver.directory().getAbsolutePath());
        }

        final long[] outcomes = new long[CLIENTS];
        Arrays.fill(outcomes, NOT_WRITTEN);
        final long[] instanceNs = new long[CLIENTS];
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger expired = new AtomicInteger();
        final AtomicLong unanswered = new AtomicLong();
        final List<String> failures = new ArrayList<>();
        final long startNs = System.nanoTime();
        final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        try
        {
            final List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                workers.add(executor.submit(() ->
                {
                    int i;
                    while ((i = next.getAndIncrement()) < CLIENTS)
                    {
                        final long beganNs = System.nanoTime();
                        try (ChainKvClient client = ChainKvClient.connect(clientConfig))
                        {
                            outcomes[i] = client.put(key(i), value(i));
                        }
                        catch (final SessionsFullException ex)
                        {
                            outcomes[i] = REFUSED;
                            refused.incrementAndGet();
                        }
                        catch (final SessionExpiredException ex)
                        {
                            // A clear answer too: an attempt may have been applied before the session ended under a
                            // client that waited longer than the session timeout; it was not applied twice.
                            outcomes[i] = OUTCOME_UNKNOWN;
                            expired.incrementAndGet();
                        }
                        catch (final RuntimeException ex)
                        {
                            unanswered.incrementAndGet();
                            synchronized (failures)
                            {
                                if (failures.size() < 10)
                                {
                                    failures.add("instance " + i + ": " + ex);
                                }
                            }
                        }
                        instanceNs[i] = System.nanoTime() - beganNs;
                    }
                    return null;
                }));
            }
            for (final Future<?> worker : workers)
            {
                worker.get(Math.max(120, CLIENTS / 2), TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
        }
        final long elapsedNs = System.nanoTime() - startNs;
        report(instanceNs, elapsedNs, refused.get(), expired.get(), unanswered.get());

        assertEquals(0, unanswered.get(), "instances whose write got no clear answer: " + failures);
        assertTrue(refused.get() < CLIENTS / 2, refused.get() + " of " + CLIENTS + " refused: the sessions are not " +
            "ending with their clients");

        try (ChainKvClient reader = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config())))
        {
            for (int i = 0; i < CLIENTS; i++)
            {
                final VersionedValue read = reader.get(key(i));
                if (REFUSED == outcomes[i])
                {
                    assertNull(read, "instance " + i + " was refused, yet its write is there");
                }
                else if (OUTCOME_UNKNOWN == outcomes[i])
                {
                    continue;
                }
                else
                {
                    assertNotNull(read, "instance " + i + "'s acknowledged write is missing");
                    assertEquals(outcomes[i], read.version(), "instance " + i + "'s write");
                }
            }
        }

        // Sessions whose close was lost end by expiry; then nothing changes and the members can be compared.
        Thread.sleep(2 * SESSION_TIMEOUT_MS);
        for (final NodeProcess node : chain.nodes())
        {
            assertFalse(Files.readString(node.logFile()).contains("unable to allocate counter"),
                node.id() + " ran out of media driver counters");
            node.stop();
        }
        final long[] digests = new long[3];
        final long[] tables = new long[3];
        int n = 0;
        for (final NodeProcess node : chain.nodes())
        {
            try (ChainStore store = StoreInspection.open(node, new StoreConfig()
                .maxEntries(MAX_ENTRIES).maxDataBytes(StoreInspection.MAX_DATA_BYTES).maxClients(CAPACITY)))
            {
                digests[n] = store.digest();
                tables[n] = store.clients().digest();
                assertEquals(0, store.clients().sessionCount(), node.id() + " still holds sessions");
                n++;
            }
        }
        assertEquals(digests[0], digests[1], "digests of the head and the middle");
        assertEquals(digests[0], digests[2], "digests of the head and the tail");
        assertEquals(tables[0], tables[1], "exactly-once tables of the head and the middle");
        assertEquals(tables[0], tables[2], "exactly-once tables of the head and the tail");
    }

    private static void report(
        final long[] instanceNs, final long elapsedNs, final int refused, final int expired, final long unanswered)
    {
        final long[] sorted = instanceNs.clone();
        Arrays.sort(sorted);
        final double seconds = elapsedNs / 1e9;
        System.out.printf("client churn: %d instances (connect, one put, close%s) from %d threads, %d sessions at most," +
            " in %.1f s: %.0f instances/s; per instance p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d refused " +
            "SESSIONS_FULL, %d SESSION_EXPIRED, %d unanswered%n", CLIENTS, SHARED_DRIVER ? "; one shared media driver" :
            "; a media driver each", THREADS, CAPACITY, seconds, CLIENTS / seconds,
            sorted[sorted.length / 2] / 1e6, sorted[(int)(sorted.length * 0.99)] / 1e6, sorted[sorted.length - 1] / 1e6,
            refused, expired, unanswered);
    }

    private static byte[] key(final int i)
    {
        return ("churn-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(final int i)
    {
        return ("value-" + i).getBytes(StandardCharsets.UTF_8);
    }
}
