package io.chainkv.node.transfer;

import io.chainkv.node.store.ChainStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Removes tombstones once every member has passed them and a retention period has gone by, a few segments of the
 * store per call from the data path's housekeeping.
 * <p>
 * A delete must stay as a tombstone while some node may still catch up by a delta that has to carry it. A
 * committed update has been applied by every member, so a tombstone at or below the committed seq is needed only
 * by nodes outside the chain that come back later; the retention period ({@value #RETENTION_PROP}, default 10
 * minutes) is how long such a node may be away and still rejoin by a delta. The horizon is raised (and persisted)
 * before a pass removes anything, and the tail refuses a delta to a node older than its horizon: that node takes a
 * full transfer instead, so no delete is ever missed.
 * <p>
 * The horizon also travels: a node that receives a transfer raises its own to the tail's ({@code TransferEnd}), so a
 * store that lacks collected tombstones always says so, whoever collected them. While the tail streams a delta, its
 * caller caps the horizon at the joiner's seq ({@link #doWork(long, long, long)}): a tombstone the joiner needs must
 * not vanish from a segment the walk has not reached yet (docs/healing.md, "Tombstones and their collection").
 */
public final class TombstoneCollector
{
    /** System property: how long, in milliseconds, a tombstone is kept after it was committed. */
    public static final String RETENTION_PROP = "chainkv.tombstone.retention.ms";

    /** Default retention: a node away for less than this rejoins by a delta. */
    public static final long DEFAULT_RETENTION_MS = TimeUnit.MINUTES.toMillis(10);

    private static final Logger LOG = LoggerFactory.getLogger(TombstoneCollector.class);
    private static final int SAMPLES = 64;
    private static final int SEGMENTS_PER_CALL = 8;

    private final ChainStore store;
    private final TransferCounters counters;
    private final long retentionNs;
    private final long sampleIntervalNs;
    private final long[] sampleTimesNs = new long[SAMPLES];
    private final long[] sampleSeqs = new long[SAMPLES];
    private int sampleCount;
    private int newestSample = -1;
    private long nextSampleNs;
    private long passHorizon;
    private int nextSegment = -1;
    private long removedInPass;

    /**
     * @param store    the node's store.
     * @param counters where collected tombstones are counted.
     */
    public TombstoneCollector(final ChainStore store, final TransferCounters counters)
    {
        this(store, counters, TimeUnit.MILLISECONDS.toNanos(Long.getLong(RETENTION_PROP, DEFAULT_RETENTION_MS)));
    }

    /**
     * @param store       the node's store.
     * @param counters    where collected tombstones are counted.
     * @param retentionNs how long a committed tombstone is kept.
     */
    public TombstoneCollector(final ChainStore store, final TransferCounters counters, final long retentionNs)
    {
        this.store = store;
        this.counters = counters;
        this.retentionNs = Math.max(0, retentionNs);
        this.sampleIntervalNs = Math.max(TimeUnit.MILLISECONDS.toNanos(100), this.retentionNs / (SAMPLES / 2));
    }

    /**
     * @param nowNs        the current time.
     * @param committedSeq the node's last committed seq.
     * @return tombstones removed by this call.
     */
    public int doWork(final long nowNs, final long committedSeq)
    {
        return doWork(nowNs, committedSeq, Long.MAX_VALUE);
    }

    /**
     * @param nowNs        the current time.
     * @param committedSeq the node's last committed seq.
     * @param horizonLimit the highest horizon a new pass may take: a delta transfer in progress pins it at its
     *                     joiner's seq; {@link Long#MAX_VALUE} when nothing does. A pass already running keeps the
     *                     horizon it started with, which the transfer's start saw.
     * @return tombstones removed by this call.
     */
    public int doWork(final long nowNs, final long committedSeq, final long horizonLimit)
    {
        if (nowNs >= nextSampleNs)
        {
            nextSampleNs = nowNs + sampleIntervalNs;
            newestSample = (newestSample + 1) % SAMPLES;
            sampleTimesNs[newestSample] = nowNs;
            sampleSeqs[newestSample] = committedSeq;
            sampleCount = Math.min(SAMPLES, sampleCount + 1);
        }

        if (nextSegment < 0)
        {
            final long horizon = Math.min(horizonAt(nowNs), horizonLimit);
            if (horizon <= store.tombstoneHorizon())
            {
                return 0;
            }
            passHorizon = horizon;
            store.tombstoneHorizon(horizon);
            nextSegment = 0;
            removedInPass = 0;
        }

        int removed = 0;
        final int segments = store.segmentCount();
        for (int i = 0; i < SEGMENTS_PER_CALL && nextSegment < segments; i++)
        {
            removed += store.removeTombstones(nextSegment++, passHorizon);
        }
        removedInPass += removed;
        if (removed > 0)
        {
            counters.onTombstonesCollected(removed);
        }
        if (nextSegment >= segments)
        {
            nextSegment = -1;
            if (removedInPass > 0)
            {
                LOG.info("collected {} tombstones up to seq {}", removedInPass, passHorizon);
            }
        }
        return removed;
    }

    /**
     * @return the committed seq of the newest sample at least the retention period old, 0 if none is yet.
     */
    private long horizonAt(final long nowNs)
    {
        for (int i = 0; i < sampleCount; i++)
        {
            final int index = Math.floorMod(newestSample - i, SAMPLES);
            if (nowNs - sampleTimesNs[index] >= retentionNs)
            {
                return sampleSeqs[index];
            }
        }
        return 0;
    }
}
