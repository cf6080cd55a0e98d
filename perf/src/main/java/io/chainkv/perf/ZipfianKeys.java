package io.chainkv.perf;

import java.util.SplittableRandom;

/**
 * Zipfian key popularity: the key of rank r is chosen with probability proportional to 1 / (r + 1)^theta.
 * <p>
 * The generator is the one YCSB uses (Gray et al., "Quickly Generating Billion-Record Synthetic Databases",
 * SIGMOD 1994): constant time per draw after an O(n) sum computed once. Scrambled (YCSB's default) maps each
 * rank through a 64-bit FNV hash so the hot keys are spread over the key space instead of being its first
 * keys; the popularity of each rank is unchanged.
 */
public final class ZipfianKeys implements KeyChooser
{
    private static final long FNV_OFFSET_BASIS_64 = 0xCBF29CE484222325L;
    private static final long FNV_PRIME_64 = 1099511628211L;

    private final long items;
    private final double theta;
    private final double zetaN;
    private final double alpha;
    private final double eta;
    private final double half;
    private final boolean scrambled;

    /**
     * @param items     number of keys.
     * @param theta     skew, in (0, 1); YCSB uses 0.99.
     * @param scrambled spread hot keys over the key space.
     */
    public ZipfianKeys(final long items, final double theta, final boolean scrambled)
    {
        if (items < 1)
        {
            throw new IllegalArgumentException("items must be >= 1, was " + items);
        }
        if (!(theta > 0 && theta < 1))
        {
            throw new IllegalArgumentException("zipfian constant must be in (0, 1), was " + theta);
        }
        this.items = items;
        this.theta = theta;
        this.scrambled = scrambled;
        this.zetaN = zeta(items, theta);
        final double zeta2 = zeta(2, theta);
        this.alpha = 1.0 / (1.0 - theta);
        this.eta = (1 - Math.pow(2.0 / items, 1 - theta)) / (1 - zeta2 / zetaN);
        this.half = 1.0 + Math.pow(0.5, theta);
    }

    public long next(final SplittableRandom random)
    {
        final long rank = nextRank(random.nextDouble());
        return scrambled ? Math.floorMod(fnv64(rank), items) : rank;
    }

    /**
     * @param u a uniform number in [0, 1).
     * @return the popularity rank it maps to, 0 the most popular.
     */
    public long nextRank(final double u)
    {
        final double uz = u * zetaN;
        if (uz < 1.0)
        {
            return 0;
        }
        if (uz < half)
        {
            return Math.min(1, items - 1);
        }
        final long rank = (long)(items * Math.pow(eta * u - eta + 1, alpha));
        return Math.min(rank, items - 1);
    }

    /**
     * @param rank a popularity rank.
     * @return the probability the distribution gives it.
     */
    public double probabilityOfRank(final long rank)
    {
        return 1.0 / Math.pow(rank + 1, theta) / zetaN;
    }

    static double zeta(final long n, final double theta)
    {
        double sum = 0;
        for (long i = 1; i <= n; i++)
        {
            sum += 1.0 / Math.pow(i, theta);
        }
        return sum;
    }

    static long fnv64(final long value)
    {
        long hash = FNV_OFFSET_BASIS_64;
        long v = value;
        for (int i = 0; i < 8; i++)
        {
            hash ^= v & 0xFF;
            hash *= FNV_PRIME_64;
            v >>>= 8;
        }
        return hash;
    }
}
