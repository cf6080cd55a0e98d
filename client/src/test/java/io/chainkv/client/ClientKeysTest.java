package io.chainkv.client;

import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.config.Settings;
import io.chainkv.transport.TransportSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientKeysTest
{
    private static final ChainConfig CHAIN = new ChainConfig("test", 0, 1,
        List.of(new ChainMember("n1", "127.0.0.1:1")));

    @Test
    void aClientWithoutAKeyFileRefusesToStartSayingWhatToDo() throws Exception
    {
        final TransportSettings noKeys = TransportSettings.from(
            Settings.resolve(TransportSettings.SETTINGS, Map.of(), null, new Properties()));

        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> ChainKvClient.connect(new ClientConfig().chainConfig(CHAIN).transportSettings(noKeys)));

        assertTrue(refused.getMessage().contains("no key file"), refused.getMessage());
        assertTrue(refused.getMessage().contains("--key-file"), refused.getMessage());
        assertTrue(refused.getMessage().contains("authentication off"), refused.getMessage());
    }

    @Test
    void aClientWithAMissingKeyFileNamesIt(@TempDir final Path dir)
    {
        final Path missing = dir.resolve("app.keys");

        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> ChainKvClient.connect(new ClientConfig().chainConfig(CHAIN).keyFile(missing)));

        assertTrue(refused.getMessage().contains(missing.toString()), refused.getMessage());
        assertTrue(!Files.exists(missing));
    }
}
