package io.chainkv.node.chain;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.RequestTimeoutException;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.node.harness.NodeProcess;
import io.chainkv.node.replication.NodeCountersReader;
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
    void twoApplicationsOfOneProcessEachSignWithTheirOwnKeyFromOneThread(@TempDir final Path dir) throws Exception
    {
        chain = LocalChain.builder().nodes(2).start();
        final Path firstKeys = dir.resolve("first.keys");
        final Path secondKeys = dir.resolve("second.keys");
        KeyRing.writeFile(firstKeys, clientKeyLine(1001));
        KeyRing.writeFile(secondKeys, clientKeyLine(1002));
        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config()).keyFile(firstKeys));
        try (ChainKvClient second = ChainKvClient.connect(
            new ClientConfig().chainConfig(chain.config()).keyFile(secondKeys)))
        {
            client.put(bytes("first"), bytes("1"));
            second.put(bytes("second"), bytes("2"));
            assertEquals("2", new String(client.get(bytes("second")).value(), StandardCharsets.UTF_8));
            assertEquals("1", new String(second.get(bytes("first")).value(), StandardCharsets.UTF_8));
        }
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
        // Each node reads the file on its own: the head may take it after the tail does.
        awaitEveryNodeTookKeys(1);
        // An application started on the new key is served, and answered under it: it holds no other.
        client.close();
        client = ChainKvClient.connect(new ClientConfig().chainConfig(chain.config()).keyFile(appKeys)
            .requestTimeout(Duration.ofSeconds(5)));
        try
        {
            client.put(bytes("k"), bytes("v"));
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("the write failed; node counters: " + countersOfEveryNode(), ex);
        }
        assertEquals("v", new String(client.get(bytes("k")).value(), StandardCharsets.UTF_8));

        Files.writeString(clusterKeys, memberKeyLine() + clientKeyLine(1001));
        awaitEveryNodeTookKeys(2);
        assertThrows(RequestTimeoutException.class, () -> client.get(bytes("k")), "a revoked key");
    }

    private String countersOfEveryNode()
    {
        final StringBuilder text = new StringBuilder();
        for (final NodeProcess node : chain.nodes())
        {
            text.append(node.id()).append(' ').append(NodeCountersReader.read(node.aeronDir().toFile())).append('\n');
        }
        return text.toString();
    }

    private void awaitEveryNodeTookKeys(final int times) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (final NodeProcess node : chain.nodes())
        {
            while (countOf(Files.readString(node.logFile()), "signs and checks frames with the keys read again") < times)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new AssertionError(node.id() + " did not take the changed key file within 30 s: " +
                        node.logTail(20));
                }
                Thread.sleep(100);
            }
        }
    }

    private static int countOf(final String text, final String phrase)
    {
        int count = 0;
        for (int at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1))
        {
            count++;
        }
        return count;
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
