package io.chainkv.node.replication;

import io.chainkv.node.harness.FreePorts;
import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.MessageSender;
import io.chainkv.transport.StreamIds;
import io.chainkv.transport.TransportSettings;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyRouterTest
{
    private static final long BUDGET = 10_000;
    private static final int REPLY_LENGTH = 1_000;

    private final TransportSettings settings = TransportSettings.fromSystemProperties().withoutAuthentication();
    private EmbeddedAeron aeron;
    private ReplyRouter router;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(router, aeron);
    }

    @Test
    void answersToClientsThatNeverConnectStayWithinTheBudgetAndTheRestAreDroppedAndCounted()
    {
        aeron = EmbeddedAeron.launch(EmbeddedAeron.uniqueDirectory("reply-router"), settings);
        final MessageSender sender = settings.newSender(null, settings.maxMessageLength());
        router = new ReplyRouter(aeron.aeron(), settings, sender, null, sender, 1024,
            TimeUnit.SECONDS.toNanos(60), BUDGET);
        final UnsafeBuffer reply = new UnsafeBuffer(new byte[REPLY_LENGTH]);
        // Nobody listens at these ports: every answer waits for a publication that never connects.
        final int clients = 50;
        final int[] ports = FreePorts.udp(clients).stream().mapToInt(Integer::intValue).toArray();
        for (int client = 0; client < clients; client++)
        {
            final byte[] channel = ("aeron:udp?endpoint=127.0.0.1:" + ports[client]).getBytes(StandardCharsets.US_ASCII);
            final UnsafeBuffer channelBuffer = new UnsafeBuffer(channel);
            assertTrue(router.send(client + 1, channelBuffer, 0, channel.length, StreamIds.CLIENT_REPLY, reply, 0,
                REPLY_LENGTH, 1, System.nanoTime()));
        }

        assertEquals(BUDGET, router.pendingBytes());
        assertEquals(clients - BUDGET / REPLY_LENGTH, router.droppedCount());

        router.close();
        assertEquals(0, router.pendingBytes());
    }
}
