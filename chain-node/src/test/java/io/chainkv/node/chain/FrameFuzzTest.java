package io.chainkv.node.chain;

import io.aeron.ExclusivePublication;
import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.VersionedValue;
import io.chainkv.config.ChainConfig;
import io.chainkv.node.harness.FreePorts;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import io.chainkv.transport.Channels;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.StreamIds;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input, fuzzed for real (docs/testing.md, "The frame fuzzer"): a seeded, structure-aware generator
 * ({@link FrameFuzzer}) sends mutated frames of every message type at every stream of a live 3-node chain, with valid
 * client MACs, member MACs of another cluster, forged or missing MACs, and broken chunk sequences, while a real
 * client writes and reads. Afterwards no node died or was spliced out, every member holds exactly the same store,
 * and every key the real client wrote has the value it wrote last.
 * <p>
 * The suite runs {@value #DEFAULT_FRAMES} frames with seed {@value #DEFAULT_SEED}; {@code scripts/fuzz-frames.sh}
 * runs millions ({@code -Dchainkv.fuzz.frames}, {@code -Dchainkv.fuzz.seed}). Nodes run with a 256 MiB heap, the
 * bound the run checks by their surviving it.
 */
class FrameFuzzTest
{
    static final int DEFAULT_FRAMES = 10_000;
    static final long DEFAULT_SEED = 20261207L;
    private static final int LEGIT_KEYS = 50;

    private LocalChain chain;
    private ChainKvClient client;
    private EmbeddedAeron attacker;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, attacker, chain);
    }

    @Test
    void mutatedFramesOfEveryKindChangeNothingTheRealClientDidNotDo() throws Exception
    {
        final long frames = Long.getLong("chainkv.fuzz.frames", DEFAULT_FRAMES);
        final long seed = Long.getLong("chainkv.fuzz.seed", DEFAULT_SEED);
        chain = LocalChain.builder().nodes(3)
            .maxEntries(StoreInspection.MAX_ENTRIES)
            .maxDataBytes(StoreInspection.MAX_DATA_BYTES)
            .jvmArg("-Xmx256m")
            .start();
        final ChainConfig config = chain.config();
        // A patient client: the point is what the storm does to the data, not how fast two loaded cores answer.
        client = ChainKvClient.connect(new ClientConfig().chainConfig(config).requestTimeout(Duration.ofSeconds(30)));
        // Made before the storm, so the last write is an overwrite even if fuzzed writes fill the store.
        client.put(bytes("legit-after"), bytes("before"));
        final TransportSettings settings = TransportSettings.fromSystemProperties();
        attacker = EmbeddedAeron.launch(EmbeddedAeron.uniqueDirectory("fuzzer"), settings.withoutAuthentication());

        final List<NodeProcess> nodes = new ArrayList<>(chain.nodes());
        final List<ExclusivePublication> targets = new ArrayList<>();
        final int[] streams = { StreamIds.CLIENT_REQUEST, StreamIds.REPLICATION, StreamIds.FEEDBACK };
        for (final NodeProcess node : nodes)
        {
            for (final int stream : streams)
            {
                targets.add(attacker.aeron().addExclusivePublication(Channels.udp(node.endpoint(), settings), stream));
            }
        }
        final String sink = "aeron:udp?endpoint=127.0.0.1:" + FreePorts.udp(1).get(0);
        final FrameFuzzer fuzzer = new FrameFuzzer(new Random(seed), settings, config, sink);

        final AtomicReference<Throwable> legitFailure = new AtomicReference<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final String[] lastValue = new String[LEGIT_KEYS];
        final Thread legit = new Thread(() ->
        {
            try
            {
                // Stopped between rounds, never in one: a write cut short has an unknown outcome.
                for (int round = 0; !stop.get(); round++)
                {
                    final int key = round % LEGIT_KEYS;
                    final String value = "v" + round;
                    client.put(bytes("legit-" + key), bytes(value));
                    lastValue[key] = value;
                    final VersionedValue read = client.get(bytes("legit-" + key));
                    assertNotNull(read, "legit-" + key);
                    assertEquals(value, new String(read.value(), StandardCharsets.UTF_8));
                }
            }
            catch (final Throwable t)
            {
                legitFailure.set(t);
            }
        }, "legit-client");
        legit.start();

        final long startNs = System.nanoTime();
        final Random pick = new Random(seed ^ 0x5DEECE66DL);
        for (long i = 0; i < frames; i++)
        {
            final ExclusivePublication target = targets.get(pick.nextInt(targets.size()));
            fuzzer.sendOne(target);
            if (0 == (i & 1023))
            {
                assertNull(legitFailure.get(), () -> "the real client failed after " + fuzzer.sent() + " frames: " +
                    legitFailure.get());
            }
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        stop.set(true);
        legit.join(TimeUnit.SECONDS.toMillis(120));
        assertTrue(!legit.isAlive(), "the real client did not finish its last round");
        assertNull(legitFailure.get(), () -> "the real client failed: " + legitFailure.get());

        // One more write and read through the whole chain after the storm.
        client.put(bytes("legit-after"), bytes("done"));
        assertEquals("done", new String(client.get(bytes("legit-after")).value(), StandardCharsets.UTF_8));

        long unauthenticated = 0;
        long malformed = 0;
        for (final NodeProcess node : nodes)
        {
            assertTrue(node.isAlive(), node.id() + " died: " + node.logTail(30));
            final Map<String, Long> counters = NodeCountersReader.read(node.aeronDir().toFile());
            unauthenticated += counters.getOrDefault("unauthenticated frames dropped", 0L);
            malformed += counters.getOrDefault("malformed frames dropped", 0L);
        }
        System.out.printf("frame fuzz: seed %d, %,d frames in %,d ms (%s); nodes dropped %,d unauthenticated and %,d " +
            "malformed frames%n", seed, fuzzer.sent(), elapsedMs, fuzzer.describeMix(), unauthenticated, malformed);
        assertTrue(unauthenticated > 0 && malformed > 0, "the fuzzer reached neither check");

        // Fuzzed writes with valid client MACs are real writes; the last of them may still be on their way down the
        // chain (they come on the attacker's own stream, unordered with the real client's), so stores are compared
        // only once the members have applied the same seq and hold nothing unacknowledged.
        CloseHelper.quietClose(attacker);
        attacker = null;
        StoreInspection.awaitConverged(nodes, Duration.ofSeconds(60));
        client.close();
        for (final NodeProcess node : nodes)
        {
            node.stop();
        }
        final long headDigest = StoreInspection.digestOf(chain.head());
        for (final NodeProcess node : nodes)
        {
            assertEquals(headDigest, StoreInspection.digestOf(node), node.id() + " diverged");
            for (int key = 0; key < LEGIT_KEYS; key++)
            {
                if (null != lastValue[key])
                {
                    assertEquals(lastValue[key],
                        StoreInspection.valueOf(node, "legit-" + key), node.id() + " legit-" + key);
                }
            }
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
