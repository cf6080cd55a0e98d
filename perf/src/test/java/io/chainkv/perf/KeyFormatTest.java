package io.chainkv.perf;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KeyFormatTest
{
    @Test
    void keysHaveTheConfiguredLengthAndEncodeTheirIndex()
    {
        final KeyFormat format = new KeyFormat(16, 100_000);
        final byte[] key = format.newKey();
        format.write(42, key);
        assertEquals("k000000000000042", new String(key, StandardCharsets.US_ASCII));
        format.write(99_999, key);
        assertEquals("k000000000099999", new String(key, StandardCharsets.US_ASCII));
    }

    @Test
    void aKeySizeTooSmallForTheKeyCountIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> new KeyFormat(5, 100_000));
    }
}
