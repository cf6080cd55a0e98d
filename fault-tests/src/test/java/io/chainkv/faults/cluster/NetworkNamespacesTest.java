package io.chainkv.faults.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The partitions the network nemeses make are real: a datagram sent from a node's namespace arrives, or does not,
 * as the fault says. (A partition that cut nothing would make every fault run pass.) Datagrams are sent with
 * bash's /dev/udp from inside the namespace.
 */
@Timeout(60)
class NetworkNamespacesTest
{
    private NetworkNamespaces network;

    @BeforeEach
    void setUp()
    {
        final String reason = NetworkNamespaces.unavailableReason();
        assumeTrue(null == reason, () -> "network namespaces skipped: " + reason);
        network = NetworkNamespaces.create(List.of("n1", "n2"));
    }

    @AfterEach
    void tearDown()
    {
        if (null != network)
        {
            network.close();
        }
    }

    private int send(final String fromNode, final String toHost, final int port) throws Exception
    {
        final List<String> command = new ArrayList<>(network.commandPrefix(fromNode));
        command.addAll(List.of("bash", "-c", "echo ping > /dev/udp/" + toHost + "/" + port));
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        return process.exitValue();
    }

    private boolean arrives(final String fromNode, final String rootHost) throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(rootHost, 0)))
        {
            socket.setSoTimeout(700);
            send(fromNode, rootHost, socket.getLocalPort());
            try
            {
                socket.receive(new DatagramPacket(new byte[64], 64));
                return true;
            }
            catch (final SocketTimeoutException ex)
            {
                return false;
            }
        }
    }

    @Test
    void nodeReachesZooKeeperAndClientsAddressesWhenHealthy() throws Exception
    {
        assertTrue(arrives("n1", network.zooKeeperHost()));
        assertTrue(arrives("n2", network.clientHost()));
        assertEquals(0, send("n1", network.nodeHost("n2"), 9));
    }

    @Test
    void isolatedNodeReachesNothingUntilReconnected() throws Exception
    {
        network.isolate("n1");
        assertFalse(arrives("n1", network.zooKeeperHost()));
        assertFalse(arrives("n1", network.clientHost()));
        assertTrue(arrives("n2", network.clientHost()), "only n1 is isolated");

        network.reconnect("n1");
        assertTrue(arrives("n1", network.clientHost()));
    }

    @Test
    void nodeCutFromZooKeeperStillReachesClientsAndNeighbours() throws Exception
    {
        network.cutFromZooKeeper("n1");
        assertNotEquals(0, send("n1", network.zooKeeperHost(), 9), "a blackhole route refuses the send");
        assertTrue(arrives("n1", network.clientHost()));
        assertEquals(0, send("n1", network.nodeHost("n2"), 9));

        network.healRoutes();
        assertTrue(arrives("n1", network.zooKeeperHost()));
    }

    @Test
    void partitionCutsBothDirectionsBetweenTwoNodesOnly() throws Exception
    {
        network.partition("n1", "n2");
        assertNotEquals(0, send("n1", network.nodeHost("n2"), 9));
        assertNotEquals(0, send("n2", network.nodeHost("n1"), 9));
        assertTrue(arrives("n1", network.zooKeeperHost()));

        network.healRoutes();
        assertEquals(0, send("n1", network.nodeHost("n2"), 9));
    }

    @Test
    void closeRemovesEverythingItMade() throws IOException
    {
        network.close();
        final String namespaces = IpCommand.run("netns", "list");
        final String links = IpCommand.run("-o", "link", "show");
        final String tag = NetworkNamespaces.PREFIX + (ProcessHandle.current().pid() % 100_000);
        assertFalse(namespaces.contains(tag), namespaces);
        assertFalse(links.contains(tag), links);
    }
}
