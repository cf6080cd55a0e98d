package io.chainkv.node.store;

import io.chainkv.protocol.ProtocolLimits;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreConfigTest
{
    @Test
    void defaultsMatchTheProtocolLimits()
    {
        final StoreConfig config = new StoreConfig();

        assertEquals(1_000_000, config.maxEntries());
        assertEquals(1L << 30, config.maxDataBytes());
        assertEquals(ProtocolLimits.DEFAULT_MAX_KEY_LENGTH, config.maxKeyLength());
        assertEquals(ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH, config.maxValueLength());
        assertEquals(4096, config.maxClients());
    }

    @Test
    void missingDataDirIsNamed()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new StoreConfig().validate());

        assertTrue(ex.getMessage().contains("dataDir"), ex.getMessage());
    }

    @Test
    void dataBytesTooSmallForOneLargestEntryIsNamed()
    {
        final StoreConfig config = new StoreConfig().dataDir(Path.of("x")).maxDataBytes(1000);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, config::validate);

        assertTrue(ex.getMessage().contains("maxDataBytes"), ex.getMessage());
    }

    @Test
    void averageLongerThanMaximumIsNamed()
    {
        final StoreConfig config = new StoreConfig().dataDir(Path.of("x")).maxValueLength(100).averageValueLength(200);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, config::validate);

        assertTrue(ex.getMessage().contains("averageValueLength"), ex.getMessage());
    }

    @Test
    void defaultGeometryFitsLargestValueInATierAndAllowsFullDataBytes()
    {
        final StoreGeometry geometry = new StoreGeometry(new StoreConfig().dataDir(Path.of("x")));

        assertTrue(geometry.tierBytes() >= 4L * (ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH + 1024), geometry.toString());
        assertTrue(geometry.maxTiers * geometry.tierBytes() > 2L * (1L << 30), geometry.toString());
    }
}
