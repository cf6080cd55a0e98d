package io.chainkv.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real in-process ZooKeeper server with a short tick, and the clients a test opened against it, all closed
 * together so a failing test leaves nothing behind.
 */
public final class TestZooKeeper implements AutoCloseable
{
    public static final int TICK_MS = 100;
    public static final int SESSION_TIMEOUT_MS = 600;

    private final TestingServer server;
    private final List<CuratorFramework> clients = new ArrayList<>();

    public TestZooKeeper() throws Exception
    {
        final InstanceSpec spec = new InstanceSpec(
            null, -1, -1, -1, true, -1, TICK_MS, -1, Map.of("minSessionTimeout", Integer.toString(2 * TICK_MS)));
        server = new TestingServer(spec, true);
    }

    public String connectString()
    {
        return server.getConnectString();
    }

    public CuratorFramework newStartedClient() throws InterruptedException
    {
        final CuratorFramework client =
            new ZooKeeperSettings(connectString(), SESSION_TIMEOUT_MS, ZooKeeperSettings.DEFAULT_CONNECTION_TIMEOUT_MS)
                .newClient();
        clients.add(client);
        client.start();
        if (!client.blockUntilConnected(5, java.util.concurrent.TimeUnit.SECONDS))
        {
            throw new IllegalStateException("no connection to " + connectString());
        }
        return client;
    }

    /**
     * Stops the server, keeping its data, as a crash of the ensemble would; clients see it disconnect.
     *
     * @throws Exception if it cannot stop.
     */
    public void stopServer() throws Exception
    {
        server.stop();
    }

    public void close() throws Exception
    {
        for (final CuratorFramework client : clients)
        {
            client.close();
        }
        server.close();
    }
}
