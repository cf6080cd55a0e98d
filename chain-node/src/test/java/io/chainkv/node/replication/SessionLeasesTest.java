package io.chainkv.node.replication;

import io.chainkv.node.store.ChainStore;
import io.chainkv.node.store.ClientResult;
import io.chainkv.node.store.ClientTable;
import io.chainkv.node.store.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The head's clock for client sessions: which sessions have been silent for longer than the timeout.
 */
class SessionLeasesTest
{
    private static final long TIMEOUT_NS = 1_000;

    @TempDir
    Path dir;

    private ChainStore store;
    private ClientTable table;
    private SessionLeases leases;
    private final ClientResult result = new ClientResult();

    @BeforeEach
    void open()
    {
        store = ChainStore.open(new StoreConfig().dataDir(dir).maxEntries(1_000).maxDataBytes(8L << 20)
            .averageKeyLength(16).averageValueLength(64).maxClients(4));
        table = store.clients();
        leases = new SessionLeases(table.sessionIndexCapacity(), TIMEOUT_NS);
        leases.renewAll(0);
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void aSessionHeardFromWithinTheTimeoutDoesNotExpire()
    {
        open(11, 500);

        assertEquals(0, leases.nextExpired(table, 1_400, 100));
    }

    @Test
    void aSessionSilentForLongerThanTheTimeoutExpires()
    {
        open(11, 500);

        assertEquals(11, leases.nextExpired(table, 1_501, 100));
    }

    @Test
    void aTouchRenewsTheLease()
    {
        open(11, 500);

        leases.touch(session(11), 1_400);

        assertEquals(0, leases.nextExpired(table, 1_501, 100));
        assertEquals(11, leases.nextExpired(table, 2_401, 100));
    }

    @Test
    void aNewHeadStartsEveryLeaseAfresh()
    {
        open(11, 0);

        leases.renewAll(5_000);

        assertEquals(0, leases.nextExpired(table, 5_900, 100));
    }

    @Test
    void anEndedSessionNeverExpires()
    {
        open(11, 0);
        table.endSession(11);

        assertEquals(0, leases.nextExpired(table, 10_000, 100));
    }

    @Test
    void expiredSessionsAreFoundOneAfterAnother()
    {
        open(11, 0);
        open(12, 900);
        open(13, 0);

        final long first = leases.nextExpired(table, 1_500, 100);
        table.endSession(first);
        final long second = leases.nextExpired(table, 1_500, 100);
        table.endSession(second);

        assertEquals(11 + 13, first + second);
        assertEquals(0, leases.nextExpired(table, 1_500, 100));
    }

    private void open(final long clientId, final long nowNs)
    {
        table.record(clientId, 1, (byte)0, clientId);
        leases.touch(session(clientId), nowNs);
    }

    private int session(final long clientId)
    {
        table.lookup(clientId, 1, result);
        return result.session();
    }
}
