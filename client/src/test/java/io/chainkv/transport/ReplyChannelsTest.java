package io.chainkv.transport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplyChannelsTest
{
    private static int check(final String channel)
    {
        // At an offset, as in a frame.
        final byte[] text = channel.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[text.length + 7]);
        buffer.putBytes(7, text);
        return ReplyChannels.checkClientChannel(buffer, 7, text.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "aeron:udp?endpoint=127.0.0.1:40123", "aeron:udp?endpoint=10.1.2.3:1", "aeron:udp?endpoint=192.168.0.255:65535",
        "aeron:udp?endpoint=[::1]:40123", "aeron:udp?endpoint=[fe80::1:2]:9", "aeron:udp?endpoint=[ff::1]:9" })
    void acceptsAUnicastIpLiteralAndPort(final String channel)
    {
        assertEquals(ReplyChannels.OK, check(channel), channel);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "aeron:udp?endpoint=localhost:40123; 2",
        "aeron:udp?endpoint=node-1.example.com:40123; 2",
        "aeron:udp?endpoint=127.0.0.1.nip.io:40123; 2",
        "aeron:udp?endpoint=127.0.0.01:40123; 2",
        "aeron:udp?endpoint=127.0.1:40123; 2",
        "aeron:udp?endpoint=256.0.0.1:40123; 2",
        "aeron:udp?endpoint=[::ffff:224.0.0.1]:40123; 2",
        "aeron:udp?endpoint=[fe80::1%eth0]:40123; 2",
        "aeron:udp?endpoint=224.0.1.1:40123; 3",
        "aeron:udp?endpoint=239.255.255.250:1900; 3",
        "aeron:udp?endpoint=255.255.255.255:40123; 3",
        "aeron:udp?endpoint=0.0.0.0:40123; 3",
        "aeron:udp?endpoint=[ff02::1]:40123; 3",
        "aeron:udp?endpoint=[::]:40123; 3",
        "aeron:udp?endpoint=127.0.0.1:0; 4",
        "aeron:udp?endpoint=127.0.0.1:65536; 4",
        "aeron:udp?endpoint=127.0.0.1; 4",
        "aeron:udp?endpoint=127.0.0.1:40123|control=127.0.0.1:40124; 1",
        "aeron:udp?endpoint=127.0.0.1:40123|interface=10.0.0.1; 1",
        "aeron:udp?control=127.0.0.1:40124|endpoint=127.0.0.1:40123; 1",
        "aeron:ipc; 1",
        "; 1" })
    void refusesHostNamesGroupsBadPortsAndAnyOtherParameterWithItsReason(final String channel, final int reason)
    {
        assertEquals(reason, check(null == channel ? "" : channel), channel);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "aeron:udp?endpoint=node-1:40123|term-length=65536; 12",
        "aeron:udp?endpoint=10.0.0.1:1; 10",
        "aeron:udp?control=x; -1" })
    void endpointLengthIsWhatFollowsThePrefixUpToTheNextParameter(final String channel, final int length)
    {
        final byte[] text = channel.getBytes(StandardCharsets.US_ASCII);
        assertEquals(length, ReplyChannels.endpointLength(new UnsafeBuffer(text), 0, text.length));
    }
}
