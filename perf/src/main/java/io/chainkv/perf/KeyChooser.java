package io.chainkv.perf;

import java.util.SplittableRandom;

/**
 * Picks the index of the next key, in [0, keyCount). One instance per worker thread; not thread-safe.
 */
public interface KeyChooser
{
    /**
     * @param random the worker's random source.
     * @return a key index.
     */
    long next(SplittableRandom random);

    /**
     * @param distribution uniform or zipfian.
     * @param keyCount     number of keys.
     * @param zipfConstant skew of the zipfian distribution (YCSB's default is 0.99).
     * @return a chooser.
     */
    static KeyChooser of(final String distribution, final long keyCount, final double zipfConstant)
    {
        switch (distribution)
        {
            case "uniform":
                return (random) -> random.nextLong(keyCount);
            case "zipfian":
                return new ZipfianKeys(keyCount, zipfConstant, true);
            default:
                throw new IllegalArgumentException("key distribution must be uniform or zipfian, was '" + distribution + "'");
        }
    }
}
