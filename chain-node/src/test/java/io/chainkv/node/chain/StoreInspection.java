package io.chainkv.node.chain;

import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.StoreConfig;
import io.chainkv.node.store.StoredValue;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Opens the store of a stopped node process in the test JVM, to compare what each node holds.
 */
public final class StoreInspection
{
    public static final long MAX_ENTRIES = 50_000;
    public static final long MAX_DATA_BYTES = 64L * 1024 * 1024;

    private StoreInspection()
    {
    }

    /**
     * Waits until the running nodes have applied the same seq and hold nothing unacknowledged in their Sent lists (acks
     * reach every node, an old tail included, once writes stop), so their stores can be compared.
     *
     * @param nodes the chain's members, running.
     * @param wait  how long they may take.
     * @throws AssertionError if they do not converge in time, with what each had applied.
     */
    public static void awaitConverged(final List<NodeProcess> nodes, final Duration wait) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + wait.toNanos();
        while (true)
        {
            final List<Long> applied = new ArrayList<>();
            long unacknowledged = 0;
            for (final NodeProcess node : nodes)
            {
                final Map<String, Long> counters = NodeCountersReader.read(node.aeronDir().toFile());
                applied.add(counters.get("last applied seq"));
                unacknowledged += counters.get("sent list size");
            }
            if (applied.stream().distinct().count() == 1 && 0 == unacknowledged)
            {
                return;
            }
            if (System.nanoTime() >= deadlineNs)
            {
                throw new AssertionError("members did not converge: applied " + applied +
                    ", updates still in Sent lists " + unacknowledged);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Stops every node, then asserts that each holds the same store, with the given number of entries.
     *
     * @param nodes   the chain's nodes.
     * @param entries how many entries each must hold.
     */
    public static void stopAndAssertIdentical(final List<NodeProcess> nodes, final long entries)
    {
        for (final NodeProcess node : nodes)
        {
            node.stop();
        }
        final long firstDigest = digestOf(nodes.get(0));
        for (final NodeProcess node : nodes)
        {
            assertEquals(entries, entryCountOf(node), node.id());
            assertEquals(firstDigest, digestOf(node), node.id());
        }
    }

    /**
     * @param node a node that has been stopped or killed.
     * @return the digest of its store.
     */
    public static long digestOf(final NodeProcess node)
    {
        try (ChainStore store = open(node))
        {
            return store.digest();
        }
    }

    /**
     * @param node a node that has been stopped or killed.
     * @return true if opening its store needed recovery, i.e. the node did not close it cleanly.
     */
    public static boolean wasRecovered(final NodeProcess node)
    {
        try (ChainStore store = open(node))
        {
            return store.recoveredFromUncleanShutdown();
        }
    }

    /**
     * @param node a node that has been stopped or killed.
     * @return entries in its store.
     */
    public static long entryCountOf(final NodeProcess node)
    {
        try (ChainStore store = open(node))
        {
            return store.entryCount();
        }
    }

    /**
     * @param node a stopped node.
     * @param key  a key.
     * @return the value the node holds for the key, or null.
     */
    public static String valueOf(final NodeProcess node, final String key)
    {
        try (ChainStore store = open(node))
        {
            final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            final StoredValue value = new StoredValue();
            if (!store.read(new UnsafeBuffer(keyBytes), 0, keyBytes.length, value) || value.isTombstone())
            {
                return null;
            }
            return value.value().getStringWithoutLengthUtf8(0, value.valueLength());
        }
    }

    public static ChainStore open(final NodeProcess node)
    {
        return open(node, MAX_ENTRIES);
    }

    /**
     * @param node       a stopped node.
     * @param maxEntries the entry limit the node was started with (a store reopens only with its own limits).
     * @return the node's store, open in this JVM.
     */
    public static ChainStore open(final NodeProcess node, final long maxEntries)
    {
        return open(node, new StoreConfig().maxEntries(maxEntries).maxDataBytes(MAX_DATA_BYTES));
    }

    /**
     * @param node   a stopped node.
     * @param limits the limits the node was started with (a store reopens only with its own limits).
     * @return the node's store, open in this JVM.
     */
    public static ChainStore open(final NodeProcess node, final StoreConfig limits)
    {
        return ChainStore.open(limits.dataDir(node.dataDir()));
    }
}
