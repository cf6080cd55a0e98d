package io.chainkv.perf;

/**
 * Writes key number i as a fixed-length ASCII key, {@code k000...0042}, into a caller's array, so the
 * measuring loop allocates no key. The same index always yields the same bytes, so the load phase and the
 * run address the same keys.
 */
public final class KeyFormat
{
    private final int keySize;

    /**
     * @param keySize  bytes per key.
     * @param keyCount keys used; the key size must hold all their digits after the 'k'.
     */
    public KeyFormat(final int keySize, final long keyCount)
    {
        final int digits = Long.toString(Math.max(0, keyCount - 1)).length();
        if (keySize < digits + 1)
        {
            throw new IllegalArgumentException("key size " + keySize + " is too small for " + keyCount +
                " keys: need at least " + (digits + 1) + " bytes");
        }
        this.keySize = keySize;
    }

    /**
     * @return a new array for keys of this format.
     */
    public byte[] newKey()
    {
        return new byte[keySize];
    }

    /**
     * @param index the key number, >= 0.
     * @param key   an array of the key size, overwritten.
     */
    public void write(final long index, final byte[] key)
    {
        key[0] = 'k';
        long remaining = index;
        for (int i = key.length - 1; i > 0; i--)
        {
            key[i] = (byte)('0' + (remaining % 10));
            remaining /= 10;
        }
    }

    public int keySize()
    {
        return keySize;
    }
}
