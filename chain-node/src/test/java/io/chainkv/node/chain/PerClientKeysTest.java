package io.chainkv.node.chain;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.security.KeyRing;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each application holds its own client key (docs/security.md, "Per-client keys"): the nodes answer it under that key,
 * so an application given only its key, not the cluster's first client key, is served.
 */
class PerClientKeysTest
{
    private LocalChain chain;
    private ChainKvClient client;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(client, chain);
    }

    @Test
    void anApplicationHoldingOnlyItsOwnClientKeyIsServed(@TempDir final Path dir) throws Exception
    {
        chain = LocalChain.builder().nodes(2).start();
        final Path keyFile = dir.resolve("app.keys");
        KeyRing.writeFile(keyFile, clientKeyLine(1002));

        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config()).keyFile(keyFile));
        client.put(bytes("k"), bytes("v"));
        assertEquals("v", new String(client.get(bytes("k")).value(), StandardCharsets.UTF_8));
    }

    static String clientKeyLine(final int keyId) throws Exception
    {
        final String keyFile = System.getProperty(TransportSettings.KEY_FILE_PROP);
        return Files.readAllLines(Path.of(keyFile)).stream()
            .filter((text) -> text.startsWith("client " + keyId + " ")).findFirst()
            .orElseThrow(() -> new AssertionError(keyFile + " has no client key " + keyId)) + "\n";
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
