package io.chainkv.node.harness;

import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreePortsTest
{
    @Test
    void returnsTheNumberOfDistinctPortsAskedFor()
    {
        final List<Integer> ports = FreePorts.udp(5);

        assertEquals(5, ports.size());
        assertEquals(5, new HashSet<>(ports).size());
    }

    @Test
    void portsLieBelowTheEphemeralRange()
    {
        for (final int port : FreePorts.udp(10))
        {
            assertTrue(port >= FreePorts.LOWEST_PORT && port < Math.max(FreePorts.LOWEST_PORT + 1_000,
                FreePorts.ephemeralLow()), "port " + port);
        }
    }

    @Test
    void neverHandsOutTheSamePortTwice()
    {
        final HashSet<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++)
        {
            for (final int port : FreePorts.udp(3))
            {
                assertTrue(seen.add(port), "port " + port + " handed out twice");
            }
        }
    }

    @Test
    void aPortBoundOnLoopbackIsNotFree() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            assertFalse(FreePorts.isUdpFree(socket.getLocalPort()));
        }
    }

    @Test
    void pickedPortsCanBeBound() throws Exception
    {
        for (final int port : FreePorts.udp(3))
        {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port)))
            {
                assertEquals(port, socket.getLocalPort());
            }
        }
    }
}
