package io.chainkv.node.store;

import io.chainkv.protocol.ProtocolLimits;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static io.chainkv.node.store.StoreTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        for (long client = 1; client <= clients; client++)
        {
            for (long seq = 0; seq < WINDOW; seq++)
            {
                table.record(client, seq, (byte)0, client * WINDOW + seq);
            }
        }

        assertEquals((long)clients * WINDOW, table.size());
        assertEquals(ClientTable.DUPLICATE, table.lookup(clients, WINDOW - 1, result));
        assertEquals((long)clients * WINDOW + WINDOW - 1, result.version());
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

    @Test
    void tableOfAnEarlierVersionIsMigratedOnOpen() throws Exception
    {
        store.close();
        // An earlier version kept the table in a Chronicle Map: key (clientId, slot), value (seq, version, status).
        java.nio.file.Files.delete(dir.resolve(ClientTable.FILE_NAME));
        final File legacyFile = dir.resolve(ClientTable.LEGACY_FILE_NAME).toFile();
        try (ChronicleMap<byte[], byte[]> legacy = ChronicleMapBuilder.of(byte[].class, byte[].class)
            .constantKeySizeBySample(new byte[16])
            .constantValueSizeBySample(new byte[17])
            .entries(4L * WINDOW)
            .createPersistedTo(legacyFile))
        {
            final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
            final UnsafeBuffer value = new UnsafeBuffer(new byte[17]);
            key.putLong(0, 42, ByteOrder.LITTLE_ENDIAN);
            key.putLong(8, 9, ByteOrder.LITTLE_ENDIAN);
            value.putLong(0, 9, ByteOrder.LITTLE_ENDIAN);
            value.putLong(8, 1234, ByteOrder.LITTLE_ENDIAN);
            value.putByte(16, (byte)2);
            legacy.put(key.byteArray(), value.byteArray());
        }

        store = ChainStore.open(smallConfig(dir));
        table = store.clients();

        assertEquals(ClientTable.DUPLICATE, table.lookup(42, 9, result));
        assertEquals(2, result.status());
        assertEquals(1234, result.version());
        assertFalse(legacyFile.exists());
        assertTrue(new File(legacyFile.getPath() + ".migrated").exists());
    }
}
