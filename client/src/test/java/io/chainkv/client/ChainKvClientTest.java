package io.chainkv.client;

import io.chainkv.config.ChainConfig;
import io.chainkv.config.Settings;
import io.chainkv.protocol.ProtocolLimits;
import io.chainkv.protocol.codecs.Status;
import io.chainkv.transport.TransportSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.agrona.CloseHelper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against a {@link FakeNode} over real Aeron UDP: round trips, concurrency, chunking, retries,
 * timeouts, error mapping and the exactly-once window.
 */
@Timeout(60)
class ChainKvClientTest
{
    private static final TransportSettings SETTINGS = TransportSettings.fromSystemProperties();
    private static FakeNode node;

    private final List<ChainKvClient> clients = new ArrayList<>();

    @BeforeAll
    static void startNode()
    {
        node = new FakeNode(SETTINGS);
    }

    @AfterAll
    static void stopNode()
    {
        CloseHelper.close(node);
    }

    @BeforeEach
    void resetNode()
    {
        node.reset();
    }

    @AfterEach
    void closeClients()
    {
        CloseHelper.closeAll(clients);
    }

    @Test
    void putThenGetReturnsTheValueAndTheVersionOfThePut()
    {
        final ChainKvClient client = connect(config());

        final long version = client.put(bytes("k"), bytes("v1"));
        final VersionedValue read = client.get(bytes("k"));

        assertNotNull(read);
        assertArrayEquals(bytes("v1"), read.value());
        assertEquals(version, read.version());
    }

    @Test
    void getOfAnAbsentKeyReturnsNull()
    {
        final ChainKvClient client = connect(config());

        assertNull(client.get(bytes("missing")));
    }

    @Test
    void deleteOfAnExistingKeyReturnsTrueAndRemovesIt()
    {
        final ChainKvClient client = connect(config());
        client.put(bytes("k"), bytes("v"));

        assertTrue(client.delete(bytes("k")));
        assertNull(client.get(bytes("k")));
    }

    @Test
    void deleteOfAnAbsentKeyReturnsFalse()
    {
        final ChainKvClient client = connect(config());

        assertFalse(client.delete(bytes("missing")));
    }

    @Test
    void compareAndSetWithTheCurrentVersionWritesANewVersion()
    {
        final ChainKvClient client = connect(config());
        final long first = client.put(bytes("k"), bytes("v1"));

        final long second = client.compareAndSet(bytes("k"), first, bytes("v2"));

        assertTrue(second > first);
        assertEquals(new VersionedValue(bytes("v2"), second), client.get(bytes("k")));
    }

    @Test
    void compareAndSetWithAStaleVersionThrowsVersionMismatchCarryingTheActualVersion()
    {
        final ChainKvClient client = connect(config());
        final long first = client.put(bytes("k"), bytes("v1"));
        final long second = client.put(bytes("k"), bytes("v2"));

        final VersionMismatchException ex = assertThrows(VersionMismatchException.class,
            () -> client.compareAndSet(bytes("k"), first, bytes("v3")));

        assertEquals(first, ex.expectedVersion());
        assertEquals(second, ex.actualVersion());
        assertEquals(Status.VERSION_MISMATCH, ex.status());
        assertArrayEquals(bytes("v2"), client.get(bytes("k")).value());
    }

    @Test
    void compareAndSetWithVersionZeroCreatesAnAbsentKeyOnlyOnce()
    {
        final ChainKvClient client = connect(config());

        final long version = client.compareAndSet(bytes("k"), 0, bytes("first"));
        final VersionMismatchException ex = assertThrows(VersionMismatchException.class,
            () -> client.compareAndSet(bytes("k"), 0, bytes("second")));

        assertEquals(version, ex.actualVersion());
    }

    @Test
    void thousandAsyncRequestsFromEightThreadsAllComplete() throws Exception
    {
        final ChainKvClient client = connect(config());
        final int threads = 8;
        final int perThread = 125;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try
        {
            final List<CompletableFuture<List<CompletableFuture<Long>>>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                submitted.add(CompletableFuture.supplyAsync(() ->
                {
                    final List<CompletableFuture<Long>> futures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++)
                    {
                        futures.add(client.putAsync(bytes("t" + thread + "-" + i), bytes("v" + i)));
                    }
                    return futures;
                }, executor));
            }

            final List<CompletableFuture<Long>> all = new ArrayList<>();
            for (final CompletableFuture<List<CompletableFuture<Long>>> batch : submitted)
            {
                all.addAll(batch.get(30, TimeUnit.SECONDS));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);

            assertEquals(threads * perThread, all.size());
            assertEquals(threads * perThread, all.stream().map(CompletableFuture::join).distinct().count());
            assertEquals(threads * perThread, node.writesApplied());
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void oneMebibyteValueRoundTripsInChunksBothWays()
    {
        final ChainKvClient client = connect(config());
        final byte[] value = new byte[ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH];
        ThreadLocalRandom.current().nextBytes(value);
        assertTrue(value.length > SETTINGS.maxMessageLength(), "the value must need chunks to test chunking");

        final long version = client.put(bytes("big"), value);
        final VersionedValue read = client.get(bytes("big"));

        assertEquals(version, read.version());
        assertArrayEquals(value, read.value());
    }

    @Test
    void droppedFirstAttemptIsResentWithTheSameRequestSeqAndSucceeds()
    {
        final ChainKvClient client = connect(config().attemptTimeout(Duration.ofMillis(200)));
        node.dropAttemptsPerRequest(1);

        final long version = client.put(bytes("k"), bytes("v"));

        assertEquals(2, node.attemptsOf(1), "both attempts carry request seq 1");
        assertEquals(0, node.attemptsOf(2));
        assertEquals(1, node.writesApplied());
        assertEquals(version, client.get(bytes("k")).version());
    }

    @Test
    void aNewClientsFirstWriteMayOpenItsSessionButItsRetryMayNot()
    {
        final ChainKvClient client = connect(config());
        node.dropAttemptsPerRequest(1);

        client.put(bytes("k"), bytes("v"));

        // The first attempt was taken by the publication and may have been applied: its retry must not open a session
        // the chain may have ended meanwhile, or it could be applied twice.
        assertEquals(List.of((short)1, (short)0), node.opensSessionFlagsOf(1));
    }

    @Test
    void writesAfterTheFirstAnsweredOneNeverOpenTheSession()
    {
        final ChainKvClient client = connect(config());
        client.put(bytes("a"), bytes("1"));

        client.put(bytes("b"), bytes("2"));

        assertEquals(List.of((short)1), node.opensSessionFlagsOf(1));
        assertEquals(List.of((short)0), node.opensSessionFlagsOf(2));
    }

    @Test
    void aClientWhoseSessionExpiredGoesOnInANewOne()
    {
        final ChainKvClient client = connect(config());
        client.put(bytes("a"), bytes("1"));
        final long firstSession = client.clientId();
        node.answerEverythingWith(Status.SESSION_EXPIRED, "session ended");

        final SessionExpiredException expired =
            assertThrows(SessionExpiredException.class, () -> client.put(bytes("b"), bytes("2")));
        node.answerEverythingWith(null, null);
        client.put(bytes("c"), bytes("3"));

        assertTrue(expired.outcomeUnknown());
        assertTrue(expired.getMessage().contains("Read those keys before writing them again"), expired.getMessage());
        assertTrue(firstSession != client.clientId(), "a new session id");
        assertEquals(List.of((short)1), node.opensSessionFlagsOf(3), "the new session opens with its first write");
    }

    @Test
    void lostReplyIsRetriedAndTheWriteAppliedOnce()
    {
        final ChainKvClient client = connect(config().attemptTimeout(Duration.ofMillis(200)));
        node.loseRepliesPerRequest(1);

        client.put(bytes("k"), bytes("v"));

        assertEquals(2, node.attemptsOf(1));
        assertEquals(1, node.writesApplied());
    }

    @Test
    void silentNodeFailsWithRequestTimeoutWithinTheDeadline()
    {
        final ChainKvClient client = connect(config()
            .attemptTimeout(Duration.ofMillis(200))
            .requestTimeout(Duration.ofMillis(1000)));
        node.silent(true);

        final long startNs = System.nanoTime();
        final RequestTimeoutException ex = assertThrows(RequestTimeoutException.class,
            () -> client.put(bytes("k"), bytes("v")));
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        // The upper bound leaves room for a loaded 2-core machine; the point is "fails, and not much later".
        assertTrue(elapsedMs >= 1000 && elapsedMs < 3000, "failed after " + elapsedMs + " ms");
        assertTrue(ex.outcomeUnknown());
        assertTrue(ex.getMessage().contains("may or may not have been applied"), ex.getMessage());
        assertTrue(node.attemptsOf(1) >= 4, "attempts: " + node.attemptsOf(1));
    }

    @ParameterizedTest
    @ValueSource(strings = { "invoker", "shared" })
    void aCallerReachesAMemberOfANewConfigurationWhateverThreadRunsTheClientsDriver(final String driverThreading)
        throws Exception
    {
        final TransportSettings settings = TransportSettings.from(Settings.resolve(TransportSettings.SETTINGS,
            Map.of(TransportSettings.CLIENT_DRIVER_THREADING.name(), driverThreading,
                TransportSettings.KEY_FILE.name(), System.getProperty(TransportSettings.KEY_FILE_PROP)),
            null, new Properties()));
        try (FakeNode newHead = new FakeNode(settings))
        {
            final ChainConfig first = node.chainConfig();
            final ChainConfig second = new ChainConfig(first.clusterName(), first.chainId(), first.epoch() + 1,
                newHead.chainConfig().members());
            final AtomicReference<ChainConfig> current = new AtomicReference<>(first);
            final ChainKvClient client = connect(config().transportSettings(settings).configSource(
                new ChainConfigSource()
                {
                    public ChainConfig current()
                    {
                        return current.get();
                    }

                    public void requestRefresh()
                    {
                    }
                }));
            client.put(bytes("k"), bytes("v1"));

            // The client has no publication to the new head yet: with its driver on the receiver thread, only
            // that thread may create one, and the caller's put must still go out.
            current.set(second);
            client.put(bytes("k"), bytes("v2"));

            assertEquals(1, node.writesApplied());
            assertEquals(1, newHead.writesApplied());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Status.class, names = { "NOT_HEAD", "NOT_TAIL", "STALE_EPOCH", "BUSY", "UNAVAILABLE" })
    void retryableStatusUntilTheDeadlineFailsWithUnavailableAndTheDetail(final Status status)
    {
        final ChainKvClient client = connect(config()
            .attemptTimeout(Duration.ofMillis(200))
            .requestTimeout(Duration.ofMillis(500)));
        node.answerEverythingWith(status, "detail for " + status);

        final UnavailableException ex = assertThrows(UnavailableException.class,
            () -> client.put(bytes("k"), bytes("v")));

        assertEquals(status, ex.status());
        assertTrue(ex.getMessage().contains("detail for " + status), ex.getMessage());
        assertTrue(ex.outcomeUnknown());
        assertTrue(node.attemptsOf(1) > 1, "retried with the same request seq");
    }

    @Test
    void retryableStatusIsRetriedUntilTheNodeRecovers() throws Exception
    {
        final ChainKvClient client = connect(config());
        node.answerEverythingWith(Status.BUSY, "busy");

        final CompletableFuture<Long> put = client.putAsync(bytes("k"), bytes("v"));
        Thread.sleep(100);
        node.answerEverythingWith(null, null);

        assertTrue(put.get(5, TimeUnit.SECONDS) > 0);
        assertTrue(node.attemptsOf(1) > 1);
    }

    @Test
    void notHeadAsksTheConfigSourceForARefresh() throws Exception
    {
        final AtomicInteger refreshes = new AtomicInteger();
        final ChainConfig chain = node.chainConfig();
        final ChainKvClient client = connect(config().configSource(new ChainConfigSource()
        {
            public ChainConfig current()
            {
                return chain;
            }

            public void requestRefresh()
            {
                refreshes.incrementAndGet();
            }
        }));
        node.answerEverythingWith(Status.NOT_HEAD, "n2 is head now");

        final CompletableFuture<Long> put = client.putAsync(bytes("k"), bytes("v"));
        Thread.sleep(100);
        node.answerEverythingWith(null, null);
        put.get(5, TimeUnit.SECONDS);

        assertTrue(refreshes.get() > 0);
    }

    @ParameterizedTest
    @EnumSource(value = Status.class, names = {
        "KEY_TOO_LARGE", "VALUE_TOO_LARGE", "STORE_FULL", "MALFORMED", "WRONG_CLUSTER", "WRONG_CHAIN", "REQUEST_TOO_OLD",
        "SESSIONS_FULL", "SESSION_EXPIRED" })
    void nonRetryableStatusFailsAtOnceWithItsTypedExceptionAndTheDetail(final Status status)
    {
        final Map<Status, Class<? extends ChainKvException>> expected = Map.of(
            Status.KEY_TOO_LARGE, KeyTooLargeException.class,
            Status.VALUE_TOO_LARGE, ValueTooLargeException.class,
            Status.STORE_FULL, StoreFullException.class,
            Status.MALFORMED, ProtocolException.class,
            Status.WRONG_CLUSTER, ProtocolException.class,
            Status.WRONG_CHAIN, ProtocolException.class,
            Status.REQUEST_TOO_OLD, ProtocolException.class,
            Status.SESSIONS_FULL, SessionsFullException.class,
            Status.SESSION_EXPIRED, SessionExpiredException.class);
        final ChainKvClient client = connect(config());
        node.answerEverythingWith(status, "node detail " + status);

        final ChainKvException ex = assertThrows(ChainKvException.class, () -> client.put(bytes("k"), bytes("v")));

        assertInstanceOf(expected.get(status), ex);
        assertEquals(status, ex.status());
        assertTrue(ex.getMessage().contains("node detail " + status), ex.getMessage());
        assertEquals(1, node.attemptsOf(1), "not retried");
    }

    @Test
    void keyLongerThanTheLimitFailsBeforeSending()
    {
        final ChainKvClient client = connect(config().maxKeyLength(8));

        final KeyTooLargeException ex = assertThrows(KeyTooLargeException.class,
            () -> client.put(new byte[9], bytes("v")));

        assertEquals(Status.KEY_TOO_LARGE, ex.status());
        assertEquals(0, node.requestsReceived());
    }

    @Test
    void valueLongerThanTheLimitFailsBeforeSending()
    {
        final ChainKvClient client = connect(config().maxValueLength(8));

        assertThrows(ValueTooLargeException.class, () -> client.put(bytes("k"), new byte[9]));
        assertEquals(0, node.requestsReceived());
    }

    @Test
    void neverMoreThanTheWindowOfRequestsIsInFlight() throws Exception
    {
        final int window = ProtocolLimits.EXACTLY_ONCE_WINDOW;
        final int total = 1000;
        final ChainKvClient client = connect(config()
            .attemptTimeout(Duration.ofSeconds(20))
            .requestTimeout(Duration.ofSeconds(30)));
        node.holdReplies(true);

        final CompletableFuture<List<CompletableFuture<Long>>> submitted = CompletableFuture.supplyAsync(() ->
        {
            final List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < total; i++)
            {
                futures.add(client.putAsync(bytes("k" + i), bytes("v")));
            }
            return futures;
        });

        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (node.highestSeqReceived() < window && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        assertEquals(window, node.highestSeqReceived(), "request " + (window + 1) + " waits for request 1");
        assertFalse(submitted.isDone(), "the submitting thread waits for a free slot");

        node.holdReplies(false);
        final List<CompletableFuture<Long>> futures = submitted.get(20, TimeUnit.SECONDS);
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);

        assertEquals(total, node.highestSeqReceived());
        assertEquals(window, node.maxOutstanding());
        assertEquals(0, node.windowViolations());
    }

    @Test
    void closeFailsRequestsInFlightWithUnavailable()
    {
        final ChainKvClient client = connect(config());
        node.silent(true);
        final CompletableFuture<Long> put = client.putAsync(bytes("k"), bytes("v"));

        client.close();

        final ExecutionException ex = assertThrows(ExecutionException.class, () -> put.get(5, TimeUnit.SECONDS));
        assertInstanceOf(UnavailableException.class, ex.getCause());
        assertTrue(((UnavailableException)ex.getCause()).outcomeUnknown());
    }

    @Test
    void synchronousCallFromACallbackIsRefusedInsteadOfDeadlocking() throws Exception
    {
        final ChainKvClient client = connect(config());

        final CompletableFuture<Object> nested = client.putAsync(bytes("k"), bytes("v"))
            .thenApply((version) -> (Object)client.get(bytes("k")));

        final ExecutionException ex = assertThrows(ExecutionException.class, () -> nested.get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, ex.getCause());
    }

    @Test
    void asyncCallFromACallbackCompletes() throws Exception
    {
        final ChainKvClient client = connect(config());

        final VersionedValue read = client.putAsync(bytes("k"), bytes("v"))
            .thenCompose((version) -> client.getAsync(bytes("k")))
            .get(5, TimeUnit.SECONDS);

        assertArrayEquals(bytes("v"), read.value());
    }

    private ClientConfig config()
    {
        return new ClientConfig().chainConfig(node.chainConfig()).transportSettings(SETTINGS);
    }

    private ChainKvClient connect(final ClientConfig config)
    {
        final ChainKvClient client = ChainKvClient.connect(config);
        clients.add(client);
        return client;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
