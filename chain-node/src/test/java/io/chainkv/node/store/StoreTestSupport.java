package io.chainkv.node.store;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Small helpers shared by the store tests.
 */
final class StoreTestSupport
{
    static final int MIB = 1024 * 1024;

    private StoreTestSupport()
    {
    }

    /**
     * The fixture of the tests that open stores themselves: a temporary directory, up to two stores (the second to
     * compare against, or to show a second open is refused) and a value to read into. Whatever store is still open
     * after a test is closed, so a failed assertion does not leave a mapped file behind for the next test.
     */
    abstract static class StoreFixture
    {
        @TempDir
        Path dir;

        ChainStore store;
        ChainStore other;
        final StoredValue value = new StoredValue();

        @AfterEach
        void closeStores()
        {
            CloseHelper.closeAll(store, other);
        }
    }

    /**
     * A store small enough to create in milliseconds, still admitting a 1 MiB value.
     */
    static StoreConfig smallConfig(final Path dir)
    {
        return new StoreConfig()
            .dataDir(dir)
            .maxEntries(1_000)
            .maxDataBytes(8L * MIB)
            .averageKeyLength(16)
            .averageValueLength(64)
            .maxClients(4);
    }

    static UnsafeBuffer bytes(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    static String string(final DirectBuffer buffer, final int length)
    {
        return buffer.getStringWithoutLengthUtf8(0, length);
    }

    static void put(final ChainStore store, final String key, final long version, final String value)
    {
        final UnsafeBuffer k = bytes(key);
        final UnsafeBuffer v = bytes(value);
        store.put(k, 0, k.capacity(), version, v, 0, v.capacity());
    }

    static void delete(final ChainStore store, final String key, final long version)
    {
        final UnsafeBuffer k = bytes(key);
        store.delete(k, 0, k.capacity(), version);
    }

    static boolean read(final ChainStore store, final String key, final StoredValue into)
    {
        final UnsafeBuffer k = bytes(key);
        return store.read(k, 0, k.capacity(), into);
    }

    static boolean hasRoomFor(final ChainStore store, final String key, final int valueLength)
    {
        final UnsafeBuffer k = bytes(key);
        final boolean hasRoom = store.hasRoomFor(k, 0, k.capacity(), valueLength);
        // The head's one-query check must always give the same answer.
        store.checkWrite(k, 0, k.capacity(), valueLength);
        if (store.checkedWriteFits() != hasRoom)
        {
            throw new AssertionError("checkWrite says fits=" + store.checkedWriteFits() + ", hasRoomFor " + hasRoom +
                " for key " + key + " and a value of " + valueLength + " bytes");
        }
        return hasRoom;
    }

    /**
     * A value whose bytes depend on its seed, so a mixed-up or torn value is noticed.
     */
    static UnsafeBuffer pattern(final int length, final int seed)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)(seed * 31 + i * 7));
        }
        return buffer;
    }

    static boolean matchesPattern(final DirectBuffer buffer, final int length, final int seed)
    {
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(i) != (byte)(seed * 31 + i * 7))
            {
                return false;
            }
        }
        return true;
    }
}
