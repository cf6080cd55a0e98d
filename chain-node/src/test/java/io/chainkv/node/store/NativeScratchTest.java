package io.chainkv.node.store;

import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.hash.Data;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeScratchTest
{
    private final NativeScratch scratch = NativeScratch.allocate(64);
    private final BytesStore<?, Void> other = BytesStore.nativeStoreWithFixedCapacity(64);

    @AfterEach
    void close()
    {
        scratch.close();
        other.releaseLast();
    }

    @Test
    void hashesEveryLengthAsChronicleHashesTheSameBytesSoExistingStoresStayReadable()
    {
        final Random random = new Random(7);
        final LongHashFunction xx = LongHashFunction.xx_r39();
        for (int length = 1; length <= 64; length++)
        {
            final byte[] key = new byte[length];
            random.nextBytes(key);
            scratch.buffer().putBytes(0, key);

            assertEquals(chronicleDefaultView(length).hash(xx), scratch.data(length).hash(xx), "length " + length);
        }
    }

    @Test
    void equalBytesAreEquivalentAtEveryLength()
    {
        for (int length = 1; length <= 64; length++)
        {
            fill(length, (byte)0);

            assertTrue(scratch.data(length).equivalent(other, 0), "length " + length);
        }
    }

    @Test
    void aDifferenceInAnyByteIsNotEquivalent()
    {
        for (int length = 1; length <= 64; length++)
        {
            for (int at = 0; at < length; at++)
            {
                fill(length, (byte)0);
                other.writeByte(at, (byte)(other.readByte(at) + 1));

                assertFalse(scratch.data(length).equivalent(other, 0), "length " + length + ", byte " + at);
            }
        }
    }

    @Test
    void comparesAtTheSourceOffset()
    {
        scratch.buffer().putLong(0, 0x0102030405060708L);
        other.writeLong(8, 0x0102030405060708L);

        assertTrue(scratch.data(8).equivalent(other, 8));
        assertFalse(scratch.data(8).equivalent(other, 0));
    }

    @Test
    void getCopiesTheViewedPrefix()
    {
        scratch.buffer().putBytes(0, new byte[]{ 1, 2, 3, 4 });

        assertArrayEquals(new byte[]{ 1, 2, 3 }, scratch.data(3).get());
        assertArrayEquals(new byte[]{ 1, 2 }, scratch.data(2).getUsing(new byte[2]));
    }

    private void fill(final int length, final byte salt)
    {
        for (int i = 0; i < length; i++)
        {
            scratch.buffer().putByte(i, (byte)(i * 31 + salt));
            other.writeByte(i, (byte)(i * 31 + salt));
        }
    }

    /** A view that keeps Chronicle's default hash and comparison: what the store used before. */
    private Data<byte[]> chronicleDefaultView(final int length)
    {
        final Data<byte[]> ours = scratch.data(length);
        return new Data<>()
        {
            public RandomDataInput bytes()
            {
                return ours.bytes();
            }

            public long offset()
            {
                return 0;
            }

            public long size()
            {
                return length;
            }

            public byte[] get()
            {
                return ours.get();
            }

            public byte[] getUsing(final byte[] using)
            {
                return ours.getUsing(using);
            }
        };
    }
}
