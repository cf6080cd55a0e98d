package io.chainkv.node.harness;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks UDP ports for test nodes.
 * <p>
 * Ports come from below the kernel's ephemeral range, not from binding port 0: an ephemeral port can be
 * handed to any outgoing socket on the machine (Aeron publications bind one each), so a node killed and
 * restarted on it could find it taken. A random starting point keeps parallel test JVMs apart, and
 * ports handed out by this JVM are never handed out again by it.
 */
public final class FreePorts
{
    /** Lowest port considered. */
    public static final int LOWEST_PORT = 20_000;

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts()
    {
    }

    /**
     * @param count how many ports.
     * @return distinct UDP ports nothing had bound at the time of the call, none handed out before by
     * this JVM.
     */
    public static List<Integer> udp(final int count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        final int low = LOWEST_PORT;
        final int high = Math.max(low + 1_000, ephemeralLow());
        final int span = high - low;
        final int start = ThreadLocalRandom.current().nextInt(span);
        final List<Integer> ports = new ArrayList<>(count);
        for (int i = 0; i < span && ports.size() < count; i++)
        {
            final int port = low + (start + i) % span;
            if (isUdpFree(port) && HANDED_OUT.add(port))
            {
                ports.add(port);
            }
        }
        if (ports.size() < count)
        {
            throw new IllegalStateException("found only " + ports.size() + " free UDP ports of " + count +
                " in " + low + "-" + high);
        }
        return ports;
    }

    /**
     * @param port a UDP port.
     * @return true if a socket could bind it on every local address just now.
     */
    public static boolean isUdpFree(final int port)
    {
        // The wildcard address fails to bind if any address already has the port.
        try (DatagramSocket socket = new DatagramSocket(null))
        {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port));
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    static int ephemeralLow()
    {
        try
        {
            final String text = Files.readString(EPHEMERAL_RANGE, StandardCharsets.US_ASCII).trim();
            return Integer.parseInt(text.split("\\s+")[0]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
