package io.chainkv.node.chain;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.RequestTimeoutException;
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
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each application holds its own client key (docs/security.md, "Per-client keys"): the nodes answer it under that key,
 * so an application given only its key, not the cluster's first client key, is served; a key added to or removed from
 * the nodes' key file is accepted or refused without restarting them.
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

    @Test
    void aClientKeyAddedToOrRemovedFromTheNodesKeyFileTakesEffectWithoutARestart(@TempDir final Path dir) throws Exception
    {
        // The cluster's file starts without key 1002, as before 'chainctl issue-client-key' adds it.
        final Path clusterKeys = dir.resolve("cluster.keys");
        KeyRing.writeFile(clusterKeys, memberKeyLine() + clientKeyLine(1001));
        chain = LocalChain.builder().nodes(2).jvmArg("-D" + TransportSettings.KEY_FILE_PROP + "=" + clusterKeys).start();
        final Path appKeys = dir.resolve("app.keys");
        KeyRing.writeFile(appKeys, clientKeyLine(1002));
        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config()).keyFile(appKeys)
            .attemptTimeout(Duration.ofMillis(500)).requestTimeout(Duration.ofSeconds(2)));

        assertThrows(RequestTimeoutException.class, () -> client.get(bytes("k")), "a key the nodes do not hold");

        Files.writeString(clusterKeys, clientKeyLine(1002), StandardOpenOption.APPEND);
        awaitReads(true);
        client.put(bytes("k"), bytes("v"));
        assertEquals("v", new String(client.get(bytes("k")).value(), StandardCharsets.UTF_8));

        Files.writeString(clusterKeys, memberKeyLine() + clientKeyLine(1001));
        awaitReads(false);
    }

    private void awaitReads(final boolean served) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            try
            {
                client.get(bytes("k"));
                if (served)
                {
                    return;
                }
            }
            catch (final RequestTimeoutException ex)
            {
                if (!served)
                {
                    return;
                }
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("reads were not " + (served ? "served" : "refused") + " within 30 s of " +
                    "the key file's change");
            }
            Thread.sleep(100);
        }
    }

    static String memberKeyLine() throws Exception
    {
        return keyLine("member 1 ");
    }

    static String clientKeyLine(final int keyId) throws Exception
    {
        return keyLine("client " + keyId + " ");
    }

    private static String keyLine(final String prefix) throws Exception
    {
        final String keyFile = System.getProperty(TransportSettings.KEY_FILE_PROP);
        return Files.readAllLines(Path.of(keyFile)).stream()
            .filter((text) -> text.startsWith(prefix)).findFirst()
            .orElseThrow(() -> new AssertionError(keyFile + " has no key '" + prefix + "'")) + "\n";
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
