package io.chainkv.node.replication;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirtyVersionsTest
{
    private final DirtyVersions table = new DirtyVersions();

    private static UnsafeBuffer key(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    private DirtyVersions.DirtyKey find(final String text)
    {
        final UnsafeBuffer key = key(text);
        return table.find(key, 0, key.capacity());
    }

    private DirtyVersions.DirtyKey add(final String text)
    {
        final UnsafeBuffer key = key(text);
        return table.add(key, 0, key.capacity());
    }

    @Test
    void aKeyNeverAddedIsClean()
    {
        assertNull(find("k"));
        add("other");
        assertNull(find("k"));
    }

    @Test
    void anAddedKeyIsFoundByItsBytesWhereverTheyLie()
    {
        final DirtyVersions.DirtyKey entry = add("key-1");
        final UnsafeBuffer elsewhere = new UnsafeBuffer(new byte[32]);
        elsewhere.putStringWithoutLengthAscii(7, "key-1");
        assertSame(entry, table.find(elsewhere, 7, 5));
        assertNull(table.find(elsewhere, 7, 4), "a prefix is another key");
    }

    @Test
    void theCleanVersionKeepsItsOwnCopyOfTheValue()
    {
        final DirtyVersions.DirtyKey entry = add("k");
        final UnsafeBuffer value = new UnsafeBuffer("old".getBytes(StandardCharsets.UTF_8));
        entry.clean(5, false, value, 0, 3);
        value.putByte(0, (byte)'X');
        assertTrue(entry.isCleanKnown());
        assertEquals(5, entry.cleanVersion());
        assertFalse(entry.isCleanAbsent());
        assertEquals("old", entry.cleanValue().getStringWithoutLengthAscii(0, entry.cleanValueLength()));
    }

    @Test
    void aKeyWithoutCommittedWriteOrDeletedIsCleanAbsent()
    {
        final DirtyVersions.DirtyKey neverWritten = add("a");
        neverWritten.clean(0, false, key(""), 0, 0);
        assertTrue(neverWritten.isCleanAbsent());
        final DirtyVersions.DirtyKey deleted = add("b");
        deleted.clean(9, true, key(""), 0, 0);
        assertTrue(deleted.isCleanAbsent());
        assertEquals(9, deleted.cleanVersion());
    }

    @Test
    void anUnknownCleanVersionIsNotAnswerable()
    {
        final DirtyVersions.DirtyKey entry = add("k");
        entry.cleanUnknown();
        assertFalse(entry.isCleanKnown());
    }

    @Test
    void removedKeysAreGoneAndOthersInTheSameProbeRunStayFindable()
    {
        // Many keys force collisions in the probe runs; removing every other one must not hide the rest.
        final List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5000; i++)
        {
            keys.add("key-" + i);
            add("key-" + i).newestDirtySeq = i;
        }
        for (int i = 0; i < keys.size(); i += 2)
        {
            table.remove(find(keys.get(i)));
        }
        assertEquals(2500, table.size());
        for (int i = 0; i < keys.size(); i++)
        {
            final DirtyVersions.DirtyKey entry = find(keys.get(i));
            if (0 == i % 2)
            {
                assertNull(entry, keys.get(i));
            }
            else
            {
                assertNotNull(entry, keys.get(i));
                assertEquals(i, entry.newestDirtySeq);
            }
        }
    }

    @Test
    void randomAddsAndRemovesAgreeWithAHashMap()
    {
        final Random random = new Random(42);
        final Map<String, Long> model = new HashMap<>();
        for (int step = 0; step < 200_000; step++)
        {
            final String k = "k" + random.nextInt(3000);
            final DirtyVersions.DirtyKey entry = find(k);
            assertEquals(model.containsKey(k), null != entry, k);
            if (null == entry)
            {
                add(k).newestDirtySeq = step;
                model.put(k, (long)step);
            }
            else
            {
                assertEquals(model.get(k), entry.newestDirtySeq);
                table.remove(entry);
                model.remove(k);
            }
        }
        assertEquals(model.size(), table.size());
    }

    @Test
    void clearForgetsEveryKey()
    {
        add("a");
        add("b");
        table.clear();
        assertEquals(0, table.size());
        assertNull(find("a"));
        assertNotNull(add("a"), "pooled entries are reused");
        assertNotNull(find("a"));
    }
}
