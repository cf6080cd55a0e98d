package io.chainkv.master.zk;

import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.cluster.ZooKeeperSettings;
import io.chainkv.transport.TransportSettings;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An embedded ZooKeeper server with a 100 ms tick and the clients a test opened on it; {@link #close()} closes
 * everything, so a failing test leaves no server, session or directory behind.
 */
public final class ZooKeeperFixture implements AutoCloseable
{
    public static final int SESSION_TIMEOUT_MS = 600;

    private final EmbeddedZooKeeper server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    public ZooKeeperFixture() throws Exception
    {
        server = EmbeddedZooKeeper.start(0, null, EmbeddedZooKeeper.DEFAULT_TICK_MS, Duration.ofSeconds(10));
    }

    public EmbeddedZooKeeper server()
    {
        return server;
    }

    public CuratorFramework newStartedClient() throws InterruptedException
    {
        return newStartedClient(settings());
    }

    /**
     * @return how this fixture's clients reach the server (anonymously; see {@link ZooKeeperSettings#withLogin}).
     */
    public ZooKeeperSettings settings()
    {
        return new ZooKeeperSettings(server.connectString(), SESSION_TIMEOUT_MS,
            ZooKeeperSettings.DEFAULT_CONNECTION_TIMEOUT_MS);
    }

    /**
     * @param principal who to log in as, with the suite's key file ({@code chainkv.key.file}, which carries test
     *                  ZooKeeper logins).
     * @return a started, connected client, closed with the fixture.
     * @throws InterruptedException if interrupted while connecting.
     */
    public CuratorFramework newStartedClient(final ZooKeeperPrincipal principal) throws InterruptedException
    {
        return newStartedClient(settings().withLoginFrom(ZooKeeperSettings.AUTH_REQUIRED,
            System.getProperty(TransportSettings.KEY_FILE_PROP), principal));
    }

    /**
     * @param settings how to connect (with a login or without).
     * @return a started, connected client, closed with the fixture.
     * @throws InterruptedException if interrupted while connecting.
     */
    public CuratorFramework newStartedClient(final ZooKeeperSettings settings) throws InterruptedException
    {
        final CuratorFramework client = settings.newClient();
        closeables.add(() ->
        {
            if (client.getState() == CuratorFrameworkState.STARTED)
            {
                client.close();
            }
        });
        client.start();
        if (!client.blockUntilConnected(5, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("no connection to " + server.connectString());
        }
        return client;
    }

    /**
     * @param closeable closed before the clients and the server, in reverse order of registration.
     * @param <T>       its type.
     * @return the closeable.
     */
    public <T extends AutoCloseable> T register(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    public static boolean await(final Duration timeout, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    public void close() throws Exception
    {
        Exception failure = null;
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            try
            {
                closeables.get(i).close();
            }
            catch (final Exception ex)
            {
                failure = null == failure ? ex : failure;
            }
        }
        server.close();
        if (null != failure)
        {
            throw failure;
        }
    }
}
