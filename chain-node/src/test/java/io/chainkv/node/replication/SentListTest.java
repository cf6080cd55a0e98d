package io.chainkv.node.replication;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentListTest
{
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);

    private SentList listWith(final long... seqs)
    {
        final SentList list = new SentList(1024, 1 << 20);
        for (final long seq : seqs)
        {
            message.putLong(0, seq);
            list.append(seq, message, 0, 8 + (int)(seq % 5));
        }
        return list;
    }

    private static List<Long> unsent(final SentList list)
    {
        final List<Long> seqs = new ArrayList<>();
        while (list.hasUnsent())
        {
            assertEquals(list.unsentSeq(), list.buffer().getLong(list.unsentMessageOffset()));
            seqs.add(list.unsentSeq());
            list.advanceSendCursor();
        }
        return seqs;
    }

    @Test
    void sendsRecordsInOrderOnce()
    {
        final SentList list = listWith(1, 2, 3);
        assertEquals(List.of(1L, 2L, 3L), unsent(list));
        assertFalse(list.hasUnsent());
    }

    @Test
    void ackTrimsEverythingUpToTheCommittedSeq()
    {
        final SentList list = listWith(1, 2, 3, 4);
        assertEquals(2, list.trimTo(2));
        assertEquals(2, list.size());
        assertEquals(3, list.firstSeq());
        assertEquals(List.of(3L, 4L), unsent(list));
    }

    @Test
    void rewindResendsEverythingAfterTheSuccessorsLastApplied()
    {
        final SentList list = listWith(1, 2, 3, 4, 5);
        unsent(list);
        assertTrue(list.rewindToAfter(2));
        assertEquals(List.of(3L, 4L, 5L), unsent(list));
    }

    @Test
    void rewindBehindTrimmedRecordsReportsTheLoss()
    {
        final SentList list = listWith(1, 2, 3, 4);
        list.trimTo(3);
        assertFalse(list.rewindToAfter(1));
        assertEquals(List.of(4L), unsent(list));
        assertTrue(list.rewindToAfter(3));
    }

    @Test
    void seqsMaySkipButNeverGoBack()
    {
        final SentList list = listWith(5, 9, 1000);
        assertEquals(List.of(5L, 9L, 1000L), unsent(list));
        try
        {
            message.putLong(0, 7);
            list.append(7, message, 0, 8);
            throw new AssertionError("appending a lower seq must fail");
        }
        catch (final IllegalStateException expected)
        {
            assertEquals(3, list.size());
        }
    }

    @Test
    void compactionKeepsRecordsAndCursorIntact()
    {
        final SentList list = new SentList(1024, 1 << 30);
        final UnsafeBuffer big = new UnsafeBuffer(new byte[4096]);
        long seq = 0;
        for (int round = 0; round < 200; round++)
        {
            for (int i = 0; i < 50; i++)
            {
                seq++;
                big.putLong(0, seq);
                list.append(seq, big, 0, 1000 + i);
            }
            final List<Long> sent = unsent(list);
            assertEquals(50, sent.size());
            assertEquals(seq - 49, sent.get(0));
            list.trimTo(seq - 10);
        }
        assertEquals(10, list.size());
        assertTrue(list.bytes() < 20 * 1100);
    }

    @Test
    void fullWhenOverItsByteBudget()
    {
        final SentList list = new SentList(1024, 2048);
        final UnsafeBuffer big = new UnsafeBuffer(new byte[1024]);
        list.append(1, big, 0, 1000);
        assertFalse(list.isFull());
        list.append(2, big, 0, 1000);
        list.append(3, big, 0, 1000);
        assertTrue(list.isFull());
        list.trimTo(3);
        assertFalse(list.isFull());
    }

    @Test
    void resetForgetsRecordsAndTakesTheBaseSeq()
    {
        final SentList list = listWith(1, 2, 3);
        list.reset(10);
        assertEquals(0, list.size());
        assertFalse(list.hasUnsent());
        assertTrue(list.rewindToAfter(10));
        assertFalse(list.rewindToAfter(9));
    }
}
