package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ChainKvException;
import io.chainkv.client.ReadMode;
import io.chainkv.client.VersionedValue;
import io.chainkv.config.ChainConfig;
import io.chainkv.master.harness.LocalCluster;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CRAQ reads when members die: reads keep being answered by the survivors while a dead member is still in the
 * configuration, and session guarantees (read-your-writes, monotonic reads) hold across a failover.
 */
@Timeout(240)
class CraqReadsFailoverTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private LocalCluster cluster;
    private ChainKvClient client;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, cluster);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void survivorsAnswerReadsWhileADeadMemberIsStillInTheChain() throws Exception
    {
        // A long session keeps the dead member in the configuration for seconds: reads must not wait for the splice.
        cluster = FailoverClusters.builder().sessionTimeoutMs(8000).start();
        client = ChainKvClient.connect(cluster.clientConfig()
            .attemptTimeout(Duration.ofMillis(200))
            .requestTimeout(Duration.ofSeconds(5)));
        for (int i = 0; i < 100; i++)
        {
            client.put(bytes("key-" + i), bytes("value-" + i));
        }
        final ChainConfig before = cluster.currentConfig().chain(0);
        final String middle = before.members().get(1).nodeId();

        cluster.node(middle).kill9();
        int readsWhileListed = 0;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (System.nanoTime() < deadlineNs && cluster.currentConfig().chain(0).indexOf(middle) >= 0)
        {
            for (int i = 0; i < 100; i++)
            {
                final VersionedValue read = client.get(bytes("key-" + i));
                assertNotNull(read, "key-" + i);
                assertEquals("value-" + i, new String(read.value(), StandardCharsets.UTF_8));
                readsWhileListed++;
            }
        }
        assertTrue(readsWhileListed >= 100, "only " + readsWhileListed + " reads completed while " + middle +
            " was dead but still in the chain");

        final ChainConfig after = cluster.awaitChain((chain) -> chain.indexOf(middle) < 0, WAIT);
        assertEquals(2, after.members().size());
        assertEquals("value-7", new String(client.get(bytes("key-7")).value(), StandardCharsets.UTF_8));
    }

    @Test
    void readYourWritesAndMonotonicReadsHoldAcrossTailAndHeadFailures() throws Exception
    {
        cluster = FailoverClusters.builder().start();
        client = ChainKvClient.connect(cluster.clientConfig().requestTimeout(Duration.ofSeconds(10)));
        final ChainKvClient otherWriter = ChainKvClient.connect(cluster.clientConfig());
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong sessionReads = new AtomicLong();
        final Thread other = new Thread(() ->
        {
            for (long n = 0; running.get(); n++)
            {
                try
                {
                    otherWriter.put(bytes("shared"), bytes("other-" + n));
                }
                catch (final ChainKvException ignore)
                {
                    // Failover: the session loop checks what it reads, not this writer's luck.
                }
            }
        });
        final Thread session = new Thread(() ->
        {
            long ownVersion = 0;
            long sharedSeen = 0;
            for (long n = 0; running.get(); n++)
            {
                try
                {
                    ownVersion = client.put(bytes("own"), bytes("mine-" + n));
                    final VersionedValue own = client.get(bytes("own"), ReadMode.READ_YOUR_WRITES);
                    if (null == own || own.version() < ownVersion)
                    {
                        violations.add("read-your-writes: read " + (null == own ? "nothing" : own.version()) +
                            " after own write " + ownVersion);
                    }
                    final VersionedValue shared = client.get(bytes("shared"), ReadMode.MONOTONIC);
                    final long sharedVersion = null == shared ? 0 : shared.version();
                    if (sharedVersion < sharedSeen)
                    {
                        violations.add("monotonic: read " + sharedVersion + " after " + sharedSeen);
                    }
                    sharedSeen = Math.max(sharedSeen, sharedVersion);
                    sessionReads.addAndGet(2);
                }
                catch (final ChainKvException ignore)
                {
                    // A write or read that failed during failover; the guarantees concern answers, not availability.
                }
            }
        });
        other.start();
        session.start();
        try
        {
            awaitReads(sessionReads, 200);
            final ChainConfig before = cluster.currentConfig().chain(0);
            cluster.node(before.tail().nodeId()).kill9();
            cluster.awaitChain((chain) -> chain.indexOf(before.tail().nodeId()) < 0, WAIT);
            awaitReads(sessionReads, sessionReads.get() + 200);
            cluster.node(before.head().nodeId()).kill9();
            cluster.awaitChain((chain) -> chain.indexOf(before.head().nodeId()) < 0, WAIT);
            awaitReads(sessionReads, sessionReads.get() + 200);
        }
        finally
        {
            running.set(false);
            session.join(TimeUnit.SECONDS.toMillis(30));
            other.join(TimeUnit.SECONDS.toMillis(30));
            otherWriter.close();
        }
        assertTrue(violations.isEmpty(), violations.size() + " violations, first: " + violations.peek());
    }

    private static void awaitReads(final AtomicLong reads, final long atLeast) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + WAIT.toNanos();
        while (reads.get() < atLeast)
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("session reads stalled at " + reads.get() + " (waiting for " + atLeast + ")");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
