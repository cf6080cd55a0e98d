package io.chainkv.security;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientIdsTest
{
    @Test
    void aNewClientIdIsBoundToItsKeyOnly()
    {
        for (final int keyId : new int[]{ 0, 1, 1001, ClientIds.MAX_CLIENT_KEY_ID })
        {
            final long clientId = ClientIds.newClientId(keyId);
            assertNotEquals(0, clientId);
            assertEquals(keyId, ClientIds.keyIdOf(clientId));
            assertTrue(ClientIds.isBoundTo(clientId, keyId));
            assertFalse(ClientIds.isBoundTo(clientId, keyId ^ 1));
        }
    }

    @Test
    void clientIdsOfOneKeyDiffer()
    {
        assertNotEquals(ClientIds.newClientId(1001), ClientIds.newClientId(1001));
    }

    @Test
    void aKeyIdThatDoesNotFitIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> ClientIds.newClientId(ClientIds.MAX_CLIENT_KEY_ID + 1));
        assertThrows(IllegalArgumentException.class, () -> ClientIds.newClientId(-1));
    }
}
