package io.chainkv.node.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.chainkv.node.store.StoreTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exactly-once table as a table of client sessions: opened by a record, ended by {@link ClientTable#endSession},
 * bounded by its capacity, identical on replicas that applied the same updates, and surviving reopen.
 */
class ClientSessionTableTest
{
    @TempDir
    Path dir;

    private ChainStore store;
    private ClientTable table;
    private final ClientResult result = new ClientResult();

    @BeforeEach
    void open()
    {
        store = ChainStore.open(smallConfig(dir));
        table = store.clients();
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void aRecordOpensTheClientsSession()
    {
        table.record(11, 1, (byte)0, 100);

        assertEquals(1, table.sessionCount());
        assertEquals(ClientTable.DUPLICATE, table.lookup(11, 1, result));
        assertTrue(result.session() >= 0);
        assertEquals(11, table.sessionOwner(result.session()));
    }

    @Test
    void aLookupOfAnUnknownClientFindsNoSession()
    {
        assertEquals(ClientTable.NEW, table.lookup(12, 1, result));

        assertEquals(-1, result.session());
    }

    @Test
    void anEndedSessionForgetsItsOutcomes()
    {
        table.record(11, 1, (byte)0, 100);

        assertTrue(table.endSession(11));

        assertEquals(ClientTable.NEW, table.lookup(11, 1, result));
        assertEquals(-1, result.session());
        assertEquals(0, table.sessionCount());
        assertEquals(0, table.size());
    }

    @Test
    void endingAnUnknownSessionChangesNothing()
    {
        table.record(11, 1, (byte)0, 100);

        assertFalse(table.endSession(99));

        assertEquals(1, table.sessionCount());
        assertEquals(ClientTable.DUPLICATE, table.lookup(11, 1, result));
    }

    @Test
    void theHeadAdmitsSessionsUpToCapacity()
    {
        final int capacity = table.maxSessions();
        for (int client = 1; client <= capacity; client++)
        {
            assertTrue(table.hasRoomForSession(), "room for session " + client);
            table.record(client, 1, (byte)0, client);
        }

        assertFalse(table.hasRoomForSession());
        table.endSession(1);
        assertTrue(table.hasRoomForSession());
    }

    @Test
    void endedSessionsMakeRoomForNewOnesWithoutEnd()
    {
        // Far more clients over time than the table holds at once: a churn of short-lived clients.
        final int capacity = table.maxSessions();
        for (long client = 1; client <= 100L * capacity; client++)
        {
            assertTrue(table.hasRoomForSession());
            table.record(client, 1, (byte)0, client);
            if (client > capacity / 2)
            {
                table.endSession(client - capacity / 2);
            }
        }

        assertEquals(capacity / 2, table.sessionCount());
        assertEquals(0, table.recordsWithoutRoom());
        assertEquals(ClientTable.DUPLICATE, table.lookup(100L * capacity, 1, result));
    }

    @Test
    void aReusedRegionHoldsNothingOfItsPreviousSession()
    {
        table.record(11, 7, (byte)2, 100);
        table.endSession(11);

        table.record(12, 1, (byte)0, 200);

        assertEquals(ClientTable.NEW, table.lookup(12, 7, result));
        assertEquals(1, table.size());
    }

    @Test
    void aRecordBeyondTheFilesRoomIsSkippedNotThrown()
    {
        // The file holds twice the sessions the head admits; past that (a replica made with a smaller table than the
        // head's), records are counted and skipped, and applying goes on.
        final int room = table.sessionIndexCapacity();
        for (int client = 1; client <= room + 3; client++)
        {
            table.record(client, 1, (byte)0, client);
        }

        assertEquals(room, table.sessionCount());
        assertEquals(3, table.recordsWithoutRoom());
    }

    @Test
    void replicasThatAppliedTheSameUpdatesHaveEqualDigestsWhateverTheirHistory() throws Exception
    {
        table.record(1, 1, (byte)0, 10);
        table.record(2, 1, (byte)0, 11);
        table.record(3, 1, (byte)0, 12);
        table.endSession(2);
        table.record(4, 1, (byte)0, 13);

        try (ChainStore other = ChainStore.open(smallConfig(dir.resolve("other"))))
        {
            // Another order of region allocation, and no trace of client 2.
            other.clients().record(4, 1, (byte)0, 13);
            other.clients().record(3, 1, (byte)0, 12);
            other.clients().record(1, 1, (byte)0, 10);

            assertEquals(table.digest(), other.clients().digest());
            other.clients().record(1, 2, (byte)0, 14);
            assertNotEquals(table.digest(), other.clients().digest());
        }
    }

    @Test
    void sessionsAndTheirEndsSurviveReopen()
    {
        table.record(1, 1, (byte)0, 10);
        table.record(2, 1, (byte)0, 11);
        table.endSession(1);
        final long digest = table.digest();
        store.close();

        store = ChainStore.open(smallConfig(dir));
        table = store.clients();

        assertEquals(digest, table.digest());
        assertEquals(1, table.sessionCount());
        assertEquals(ClientTable.NEW, table.lookup(1, 1, result));
        assertEquals(ClientTable.DUPLICATE, table.lookup(2, 1, result));
    }

    @Test
    void theDirectoryFindsEverySessionAfterManyEndsInOneProbeRun()
    {
        // Backward-shift deletion: ending sessions in the middle of probe runs leaves every other session findable.
        final List<Long> live = new ArrayList<>();
        for (long client = 1; client <= table.maxSessions(); client++)
        {
            table.record(client, 1, (byte)0, client);
            live.add(client);
        }
        for (long client = 1; client <= table.maxSessions(); client += 2)
        {
            table.endSession(client);
            live.remove(client);
        }

        for (final long client : live)
        {
            assertEquals(ClientTable.DUPLICATE, table.lookup(client, 1, result), "client " + client);
        }
        assertEquals(live.size(), table.sessionCount());
    }

    @Test
    void aSessionEndInterruptedByAKillIsCompletedOnTheNextOpen() throws Exception
    {
        table.record(1, 1, (byte)0, 10);
        table.record(2, 1, (byte)0, 11);
        store.close();
        // As if the process was killed inside endSession(1): the intent is pending and the store was not closed.
        final StoreConfig config = smallConfig(dir);
        try (IntentLog intentLog = new IntentLog(dir.resolve(IntentLog.FILE_NAME).toFile(), config.maxKeyLength(),
            StoreGeometry.VALUE_HEADER_LENGTH + config.maxValueLength()))
        {
            intentLog.beginSessionEnd(1);
        }
        Files.delete(dir.resolve(ChainStore.CLEAN_SHUTDOWN_FILE_NAME));

        store = ChainStore.open(config);
        table = store.clients();

        assertTrue(store.recoveredFromUncleanShutdown());
        assertEquals(ClientTable.NEW, table.lookup(1, 1, result));
        assertEquals(-1, result.session());
        assertEquals(ClientTable.DUPLICATE, table.lookup(2, 1, result));
        assertEquals(1, table.sessionCount());
    }

    @Test
    void aWalkInSegmentsVisitsEverySessionThatLivesThroughItWhileOthersEnd() throws Exception
    {
        try (ChainStore large = ChainStore.open(smallConfig(dir.resolve("large")).maxClients(200)))
        {
            final ClientTable sessions = large.clients();
            for (long client = 1; client <= 200; client++)
            {
                sessions.record(client, 1, (byte)0, client);
            }
            assertTrue(sessions.segmentCount() > 2);
            final java.util.Set<Long> visited = new java.util.HashSet<>();
            for (int segment = 0; segment < sessions.segmentCount(); segment++)
            {
                sessions.forEachInSegment(segment, (clientId, requestSeq, status, version) -> visited.add(clientId));
                // Sessions ending between the steps of a transfer's walk (odd ones) move others in the directory.
                for (long client = 1 + 2L * segment; client <= 200; client += 2L * sessions.segmentCount())
                {
                    sessions.endSession(client);
                }
            }

            for (long client = 2; client <= 200; client += 2)
            {
                assertTrue(visited.contains(client), "session " + client + " was never visited");
            }
        }
    }

    @Test
    void aClearedTableHoldsNoSession()
    {
        table.record(1, 1, (byte)0, 10);

        table.clear();

        assertEquals(0, table.sessionCount());
        assertEquals(ClientTable.NEW, table.lookup(1, 1, result));
        table.record(2, 1, (byte)0, 11);
        assertEquals(ClientTable.DUPLICATE, table.lookup(2, 1, result));
    }
}
