package io.chainkv.perf;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZipfianKeysTest
{
    private static final int KEYS = 10_000;
    private static final int DRAWS = 500_000;

    @Test
    void twoMostPopularRanksAreDrawnExactlyAsOftenAsTheDistributionSays()
    {
        // Gray et al.'s generator is exact for ranks 0 and 1 and a continuous approximation beyond.
        final ZipfianKeys zipfian = new ZipfianKeys(KEYS, 0.99, false);
        final long[] counts = drawRanks(zipfian);
        for (int rank = 0; rank < 2; rank++)
        {
            final double expected = zipfian.probabilityOfRank(rank);
            assertEquals(expected, counts[rank] / (double)DRAWS, expected * 0.05, "rank " + rank);
        }
        assertEquals(Math.pow(2, 0.99), counts[0] / (double)counts[1], 0.1);
    }

    @Test
    void shareOfTheTopRanksFollowsTheZipfianDistribution()
    {
        final ZipfianKeys zipfian = new ZipfianKeys(KEYS, 0.99, false);
        final long[] counts = drawRanks(zipfian);
        for (final int top : new int[]{10, 100, 1000})
        {
            long drawn = 0;
            double expected = 0;
            for (int rank = 0; rank < top; rank++)
            {
                drawn += counts[rank];
                expected += zipfian.probabilityOfRank(rank);
            }
            assertEquals(expected, drawn / (double)DRAWS, expected * 0.05, "top " + top);
        }
    }

    @Test
    void onePercentOfKeysTakesAboutHalfOfTheDraws()
    {
        final long[] counts = drawRanks(new ZipfianKeys(KEYS, 0.99, false));
        long top = 0;
        for (int rank = 0; rank < KEYS / 100; rank++)
        {
            top += counts[rank];
        }
        final double share = top / (double)DRAWS;
        assertTrue(share > 0.45 && share < 0.65, "top 1% share " + share);
    }

    @Test
    void scramblingSpreadsHotKeysButKeepsTheirPopularity()
    {
        final ZipfianKeys scrambled = new ZipfianKeys(KEYS, 0.99, true);
        final SplittableRandom random = new SplittableRandom(3);
        final long[] counts = new long[KEYS];
        for (int i = 0; i < DRAWS; i++)
        {
            final long key = scrambled.next(random);
            assertTrue(key >= 0 && key < KEYS);
            counts[(int)key]++;
        }
        long max = 0;
        int hottest = -1;
        for (int key = 0; key < KEYS; key++)
        {
            if (counts[key] > max)
            {
                max = counts[key];
                hottest = key;
            }
        }
        assertEquals(Math.floorMod(ZipfianKeys.fnv64(0), KEYS), hottest);
        assertEquals(scrambled.probabilityOfRank(0), max / (double)DRAWS, scrambled.probabilityOfRank(0) * 0.1);
    }

    @Test
    void uniformKeysAreSpreadEvenly()
    {
        final KeyChooser uniform = KeyChooser.of("uniform", 10, 0.99);
        final SplittableRandom random = new SplittableRandom(5);
        final long[] counts = new long[10];
        for (int i = 0; i < 100_000; i++)
        {
            counts[(int)uniform.next(random)]++;
        }
        for (final long count : counts)
        {
            assertEquals(10_000, count, 500);
        }
    }

    private static long[] drawRanks(final ZipfianKeys zipfian)
    {
        final SplittableRandom random = new SplittableRandom(11);
        final long[] counts = new long[KEYS];
        for (int i = 0; i < DRAWS; i++)
        {
            counts[(int)zipfian.nextRank(random.nextDouble())]++;
        }
        return counts;
    }
}
