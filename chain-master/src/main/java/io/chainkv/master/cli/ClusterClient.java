package io.chainkv.master.cli;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.UnavailableException;
import io.chainkv.client.ZooKeeperChainConfigSource;
import io.chainkv.client.tools.KvTool;
import org.agrona.CloseHelper;
import org.apache.curator.framework.CuratorFramework;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The Java client as chainctl's get, put and delete use it: over chainctl's own ZooKeeper connection, so an
 * unreachable ensemble and a missing configuration give the same exit codes and messages as {@code status}.
 */
final class ClusterClient implements AutoCloseable
{
    private final CuratorFramework curator;
    private final ZooKeeperChainConfigSource source;
    private final ChainKvClient client;

    private ClusterClient(final CuratorFramework curator, final ZooKeeperChainConfigSource source,
        final ChainKvClient client)
    {
        this.curator = curator;
        this.source = source;
        this.client = client;
    }

    static ClusterClient open(final CtlConnection connection) throws InterruptedException
    {
        final CuratorFramework curator = connection.connect();
        ZooKeeperChainConfigSource source = null;
        try
        {
            final Duration timeout = Duration.ofMillis(connection.timeoutMs);
            try
            {
                source = ZooKeeperChainConfigSource.open(
                    curator, connection.cluster, ZooKeeperChainConfigSource.DEFAULT_CHAIN_ID, timeout);
            }
            catch (final UnavailableException ex)
            {
                throw new CtlException(ChainCtl.EXIT_NO_CONFIGURATION, ex.getMessage());
            }
            final ChainKvClient client =
                ChainKvClient.connect(KvTool.withTimeout(new ClientConfig().configSource(source), timeout));
            return new ClusterClient(curator, source, client);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(source, curator);
            throw ex;
        }
    }

    ChainKvClient client()
    {
        return client;
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public void close()
    {
        CloseHelper.closeAll(client, source, curator);
    }
}
