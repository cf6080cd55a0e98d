package io.chainkv.ycsb;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ChainKvException;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.VersionedValue;
import io.chainkv.config.ChainConfig;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;

/**
 * ChainKV's YCSB binding: one YCSB record is one ChainKV key holding one value ({@code fieldcount=1}).
 * <p>
 * YCSB creates one DB per client thread; they share one {@link ChainKvClient} (thread-safe, one media
 * driver), opened by the first {@link #init()} and closed by the last {@link #cleanup()}. Calls are
 * synchronous, as every YCSB binding's are.
 * <p>
 * Properties: where the cluster is, either {@code chainkv.zk} (ZooKeeper connect string) with {@code chainkv.cluster}
 * (default "chainkv"), or {@code chainkv.config} (a static chain configuration file); {@code chainkv.requestTimeoutMs}
 * (default 5000). Scans are not supported ({@link Status#NOT_IMPLEMENTED}): ChainKV has no ordered iteration.
 */
public final class ChainKvDB extends DB
{
    /** Property naming the chain configuration file. */
    public static final String CONFIG_PROP = "chainkv.config";

    /** Property with the ZooKeeper connect string of the cluster. */
    public static final String ZK_PROP = "chainkv.zk";

    /** Property with the cluster name in ZooKeeper. */
    public static final String CLUSTER_PROP = "chainkv.cluster";

    /** Property with the request timeout in milliseconds. */
    public static final String REQUEST_TIMEOUT_PROP = "chainkv.requestTimeoutMs";

    private static final Object LOCK = new Object();
    private static ChainKvClient sharedClient;
    private static int users;

    private ChainKvClient client;
    private String fieldName = "field0";

    public void init() throws DBException
    {
        final Properties properties = getProperties();
        final int fieldCount = Integer.parseInt(properties.getProperty("fieldcount", "10"));
        if (1 != fieldCount)
        {
            throw new DBException("ChainKV stores one value per key: run YCSB with -p fieldcount=1 (was " +
                fieldCount + ")");
        }
        fieldName = properties.getProperty("fieldnameprefix", "field") + "0";
        final String configFile = properties.getProperty(CONFIG_PROP);
        final String zooKeeper = properties.getProperty(ZK_PROP);
        if (null == configFile && null == zooKeeper)
        {
            throw new DBException("say where the cluster is: -p " + ZK_PROP + "=<host:port> -p " + CLUSTER_PROP +
                "=<name>, or -p " + CONFIG_PROP + "=<chain.properties>");
        }
        synchronized (LOCK)
        {
            if (null == sharedClient)
            {
                try
                {
                    final ClientConfig config = null != zooKeeper ?
                        new ClientConfig().zooKeeper(zooKeeper, properties.getProperty(CLUSTER_PROP, "chainkv")) :
                        new ClientConfig().chainConfig(ChainConfig.load(Path.of(configFile)));
                    sharedClient = ChainKvClient.connect(config.requestTimeout(Duration.ofMillis(Long.parseLong(
                        properties.getProperty(REQUEST_TIMEOUT_PROP, "5000")))));
                }
                catch (final IOException | RuntimeException ex)
                {
                    throw new DBException("cannot connect to the chain (" + (null != zooKeeper ? "ZooKeeper " +
                        zooKeeper : configFile) + "): " + ex.getMessage(), ex);
                }
            }
            users++;
            client = sharedClient;
        }
    }

    public void cleanup()
    {
        synchronized (LOCK)
        {
            if (null != client && --users == 0)
            {
                sharedClient.close();
                sharedClient = null;
            }
            client = null;
        }
    }

    public Status read(final String table, final String key, final Set<String> fields, final Map<String, ByteIterator> result)
    {
        try
        {
            final VersionedValue value = client.get(keyBytes(key));
            if (null == value)
            {
                return Status.NOT_FOUND;
            }
            if (null == fields || fields.contains(fieldName))
            {
                result.put(fieldName, new ByteArrayByteIterator(value.value()));
            }
            return Status.OK;
        }
        catch (final ChainKvException ex)
        {
            return Status.ERROR;
        }
    }

    public Status scan(
        final String table,
        final String startKey,
        final int recordCount,
        final Set<String> fields,
        final Vector<HashMap<String, ByteIterator>> result)
    {
        return Status.NOT_IMPLEMENTED;
    }

    public Status update(final String table, final String key, final Map<String, ByteIterator> values)
    {
        return write(key, values);
    }

    public Status insert(final String table, final String key, final Map<String, ByteIterator> values)
    {
        return write(key, values);
    }

    public Status delete(final String table, final String key)
    {
        try
        {
            return client.delete(keyBytes(key)) ? Status.OK : Status.NOT_FOUND;
        }
        catch (final ChainKvException ex)
        {
            return Status.ERROR;
        }
    }

    private Status write(final String key, final Map<String, ByteIterator> values)
    {
        if (1 != values.size())
        {
            return Status.BAD_REQUEST;
        }
        try
        {
            // With fieldcount=1 an update replaces the record's only field: a put of the whole value.
            client.put(keyBytes(key), values.values().iterator().next().toArray());
            return Status.OK;
        }
        catch (final ChainKvException ex)
        {
            return Status.ERROR;
        }
    }

    private static byte[] keyBytes(final String key)
    {
        // One table (usertable): the key alone is the ChainKV key.
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
