package io.chainkv.node.store;

import io.chainkv.protocol.ProtocolLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.chainkv.node.store.StoreTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientTableTest
{
    private static final int WINDOW = ProtocolLimits.EXACTLY_ONCE_WINDOW;

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
    void requestNeverSeenIsNew()
    {
        assertEquals(ClientTable.NEW, table.lookup(1, 1, result));
    }

    @Test
    void duplicateRequestReturnsRecordedOutcome()
    {
        table.record(1, 17, (byte)3, 1234);

        assertEquals(ClientTable.DUPLICATE, table.lookup(1, 17, result));
        assertEquals(3, result.status());
        assertEquals(1234, result.version());
    }

    @Test
    void requestWhoseSlotHoldsANewerRequestIsTooOld()
    {
        table.record(1, 17 + WINDOW, (byte)0, 99);

        assertEquals(ClientTable.TOO_OLD, table.lookup(1, 17, result));
    }

    @Test
    void requestWhoseSlotHoldsAnOlderRequestIsNew()
    {
        table.record(1, 17, (byte)0, 99);

        assertEquals(ClientTable.NEW, table.lookup(1, 17 + WINDOW, result));
    }

    @Test
    void recordOverwritesTheSlot()
    {
        table.record(1, 17, (byte)0, 99);
        table.record(1, 17 + WINDOW, (byte)2, 100);

        assertEquals(ClientTable.DUPLICATE, table.lookup(1, 17 + WINDOW, result));
        assertEquals(2, result.status());
        assertEquals(100, result.version());
        assertEquals(1, table.size());
    }

    @Test
    void clientsDoNotShareSlots()
    {
        table.record(1, 5, (byte)0, 10);

        assertEquals(ClientTable.NEW, table.lookup(2, 5, result));
    }

    @Test
    void fullWindowOfEveryClientFitsTheTable()
    {
        final int clients = store.config().maxClients();
        for (long client = 0; client < clients; client++)
        {
            for (long seq = 0; seq < WINDOW; seq++)
            {
                table.record(client, seq, (byte)0, client * WINDOW + seq);
            }
        }

        assertEquals((long)clients * WINDOW, table.size());
        assertEquals(ClientTable.DUPLICATE, table.lookup(clients - 1, WINDOW - 1, result));
        assertEquals((long)clients * WINDOW - 1, result.version());
    }

    @Test
    void recordedOutcomesSurviveReopen()
    {
        table.record(7, 3, (byte)1, 55);
        store.close();

        store = ChainStore.open(smallConfig(dir));
        table = store.clients();

        assertEquals(ClientTable.DUPLICATE, table.lookup(7, 3, result));
        assertEquals(55, result.version());
    }
}
