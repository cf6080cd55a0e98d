package io.chainkv.master.failover;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.VersionedValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Numbered keys a test writes and reads back, to see what a rejoining node received: key {@code k<i>} holds
 * {@code <prefix>-<i>}.
 */
final class KeyWrites
{
    /** Writes in flight at once: enough to fill the chain, few enough not to time out on a loaded machine. */
    private static final int WINDOW = 256;

    private KeyWrites()
    {
    }

    /**
     * Writes {@code k<from>} to {@code k<to - 1>}, pipelined, and waits for every answer.
     */
    static void writeKeys(final ChainKvClient client, final int from, final int to, final String prefix)
    {
        final List<CompletableFuture<Long>> window = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            window.add(client.putAsync(utf8("k" + i), utf8(prefix + "-" + i)));
            if (window.size() == WINDOW)
            {
                window.forEach(CompletableFuture::join);
                window.clear();
            }
        }
        window.forEach(CompletableFuture::join);
    }

    /**
     * @return the key's value, which must exist.
     */
    static String value(final ChainKvClient client, final String key)
    {
        final VersionedValue value = client.get(utf8(key));
        assertNotNull(value, key + " is missing");
        return new String(value.value(), StandardCharsets.UTF_8);
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
