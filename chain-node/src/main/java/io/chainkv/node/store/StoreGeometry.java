package io.chainkv.node.store;

import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * How the entry map is carved up, derived from a {@link StoreConfig} so that anything
 * {@link ChainStore#hasRoomFor} admits is certain to fit.
 * <p>
 * Chronicle Map keeps entries in segments; a segment is a chain of fixed-size tiers, and an entry must fit
 * contiguously in one tier. Left to itself the builder sizes tiers for the average entry, so a value of
 * {@code maxValueLength} (1 MiB by default) would not fit any tier, and it allows only about 2x the configured
 * entries of extra tiers, so a store full of large values would throw. Hence the geometry is set explicitly:
 * <ul>
 *     <li>chunk size about a quarter of the average entry, so the rounding waste per entry stays small;</li>
 *     <li>tiers of {@value #TIER_TO_MAX_ENTRY} largest entries, so a largest entry always fits a fresh tier and a
 *     tier that refuses one is still mostly used;</li>
 *     <li>enough segments that {@code maxEntries} average entries fill their first tiers;</li>
 *     <li>{@code maxBloatFactor} (extra tiers, allocated lazily) for the worst case within the limits: every full
 *     tier holds either its entry quota or all but one largest entry of chunks, plus one partly used tier per
 *     segment, times {@value #SLACK} for fragmentation left by replaced values.</li>
 * </ul>
 */
final class StoreGeometry
{
    /** Version (long) and flags (byte) ahead of the value bytes in every stored value. */
    static final int VALUE_HEADER_LENGTH = 9;

    /** Chronicle's own bytes per entry: checksum, stop-bit key and value sizes, with room to spare. */
    static final int CHRONICLE_ENTRY_OVERHEAD = 16;

    static final int TIER_TO_MAX_ENTRY = 4;
    static final double SLACK = 1.5;
    private static final double MAX_BLOAT_FACTOR = 1_000.0;

    final int chunkSize;
    final int maxChunksPerEntry;
    final long chunksPerTier;
    final long entriesPerTier;
    final int segments;
    final long maxTiers;
    final double maxBloatFactor;

    StoreGeometry(final StoreConfig config)
    {
        final long averageEntry = (long)config.averageKeyLength() + config.averageValueLength() + VALUE_HEADER_LENGTH +
            CHRONICLE_ENTRY_OVERHEAD;
        final long maxEntry = (long)config.maxKeyLength() + config.maxValueLength() + VALUE_HEADER_LENGTH +
            CHRONICLE_ENTRY_OVERHEAD;

        chunkSize = (int)Math.min(4096, Math.max(16, Long.highestOneBit(Math.max(1, averageEntry / 4))));
        maxChunksPerEntry = (int)divideRoundUp(maxEntry, chunkSize);
        final long averageChunks = divideRoundUp(averageEntry, chunkSize);
        chunksPerTier = Math.max((long)TIER_TO_MAX_ENTRY * maxChunksPerEntry, averageChunks * 64);
        entriesPerTier = Math.max(1, chunksPerTier / averageChunks);

        // Worst case of chunks in use: every admitted byte, the fixed bytes of every entry, and one chunk of
        // rounding per entry.
        final long worstChunks = divideRoundUp(
            config.maxDataBytes() + config.maxEntries() * (VALUE_HEADER_LENGTH + CHRONICLE_ENTRY_OVERHEAD), chunkSize) +
            config.maxEntries();
        final long tiersFullOfEntries = divideRoundUp(config.maxEntries(), entriesPerTier);
        final long tiersFullOfChunks = divideRoundUp(worstChunks, chunksPerTier - maxChunksPerEntry);

        int segmentCount = (int)Math.max(1, Math.min(1 << 20, tiersFullOfEntries));
        long tiers;
        double bloat;
        while (true)
        {
            tiers = (long)Math.ceil((tiersFullOfEntries + tiersFullOfChunks + segmentCount) * SLACK);
            // Chronicle allows round((bloat - 1) * segments) + segments extra tiers beyond one per segment.
            bloat = Math.max(1.0, Math.ceil(100.0 * (tiers - segmentCount) / segmentCount) / 100.0);
            if (bloat <= MAX_BLOAT_FACTOR)
            {
                break;
            }
            segmentCount *= 2;
        }
        segments = segmentCount;
        maxBloatFactor = bloat;
        maxTiers = segments + Math.round((bloat - 1.0) * segments) + segments;
    }

    <K, V> ChronicleMapBuilder<K, V> applyTo(final ChronicleMapBuilder<K, V> builder, final long entries)
    {
        return builder
            .entries(entries)
            .actualSegments(segments)
            .entriesPerSegment(entriesPerTier)
            .actualChunkSize(chunkSize)
            .actualChunksPerSegmentTier(chunksPerTier)
            .maxChunksPerEntry(maxChunksPerEntry)
            .maxBloatFactor(maxBloatFactor);
    }

    long tierBytes()
    {
        return chunksPerTier * chunkSize;
    }

    private static long divideRoundUp(final long dividend, final long divisor)
    {
        return (dividend + divisor - 1) / divisor;
    }

    public String toString()
    {
        return "chunkSize=" + chunkSize +
            " maxChunksPerEntry=" + maxChunksPerEntry +
            " chunksPerTier=" + chunksPerTier +
            " tierBytes=" + tierBytes() +
            " entriesPerTier=" + entriesPerTier +
            " segments=" + segments +
            " maxBloatFactor=" + maxBloatFactor +
            " maxTiers=" + maxTiers +
            " (up to " + (maxTiers * tierBytes() >> 20) + " MiB of tiers)";
    }
}
