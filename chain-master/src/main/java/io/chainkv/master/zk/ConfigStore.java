package io.chainkv.master.zk;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.ClusterConfigCodec;
import io.chainkv.cluster.ClusterPaths;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes a cluster's configuration znode, and never writes blindly.
 * <p>
 * The first configuration is created only if none exists; every later one replaces exactly the znode version
 * it was planned from, and must carry a higher epoch. Each write can also name a fence znode that must still
 * exist, checked in the same ZooKeeper transaction: the master names its LeaderLatch znode, which is ephemeral,
 * so a master whose session has gone cannot write even if it has not noticed yet.
 */
public final class ConfigStore
{
    private final CuratorFramework client;
    private final ClusterPaths paths;

    /**
     * @param client a started Curator client; not closed by this store.
     * @param paths  the cluster's layout.
     */
    public ConfigStore(final CuratorFramework client, final ClusterPaths paths)
    {
        this.client = client;
        this.paths = paths;
    }

    /**
     * @return the configuration and its znode version, or null if the cluster has none yet.
     * @throws Exception on a ZooKeeper error, or IllegalArgumentException if the znode holds no valid config.
     */
    public VersionedConfig read() throws Exception
    {
        final Stat stat = new Stat();
        final byte[] data;
        try
        {
            data = client.getData().storingStatIn(stat).forPath(paths.configPath());
        }
        catch (final KeeperException.NoNodeException ex)
        {
            return null;
        }
        return new VersionedConfig(ClusterConfigCodec.decode(data), stat.getVersion());
    }

    /**
     * Creates the first configuration.
     *
     * @param first     the configuration.
     * @param fencePath znode that must exist for the write to happen, or null for none.
     * @return what was written, with its znode version.
     * @throws StaleConfigException if a configuration already exists or the fence is gone.
     * @throws Exception            on another ZooKeeper error.
     */
    public VersionedConfig create(final ClusterConfig first, final String fencePath) throws Exception
    {
        checkCluster(first);
        ensureClusterPath();
        final CuratorOp write = client.transactionOp().create().withMode(CreateMode.PERSISTENT)
            .forPath(paths.configPath(), ClusterConfigCodec.encode(first));
        commit(write, fencePath, "create the first config (epoch " + first.epoch() + ")");
        return new VersionedConfig(first, 0);
    }

    /**
     * Replaces the configuration, only if the znode is still at the version {@code current} was read at.
     *
     * @param current   what {@code next} was planned from.
     * @param next      the new configuration; its epoch must be above {@code current}'s.
     * @param fencePath znode that must exist for the write to happen, or null for none.
     * @return what was written, with its znode version.
     * @throws StaleConfigException if the znode changed since {@code current} was read, or the fence is gone.
     * @throws Exception            on another ZooKeeper error.
     */
    public VersionedConfig update(final VersionedConfig current, final ClusterConfig next, final String fencePath)
        throws Exception
    {
        checkCluster(next);
        if (next.epoch() <= current.config().epoch())
        {
            throw new IllegalArgumentException("epoch must increase: current " + current.config().epoch() +
                ", next " + next.epoch());
        }
        final CuratorOp write = client.transactionOp().setData().withVersion(current.version())
            .forPath(paths.configPath(), ClusterConfigCodec.encode(next));
        final List<CuratorTransactionResult> results = commit(write, fencePath,
            "replace config epoch " + current.config().epoch() + " (znode version " + current.version() +
            ") with epoch " + next.epoch());
        final Stat stat = results.get(results.size() - 1).getResultStat();
        return new VersionedConfig(next, null != stat ? stat.getVersion() : current.version() + 1);
    }

    private List<CuratorTransactionResult> commit(final CuratorOp write, final String fencePath, final String what)
        throws Exception
    {
        final List<CuratorOp> ops = new ArrayList<>(2);
        if (null != fencePath)
        {
            ops.add(client.transactionOp().check().forPath(fencePath));
        }
        ops.add(write);
        try
        {
            return client.transaction().forOperations(ops);
        }
        catch (final KeeperException ex)
        {
            if (null != fencePath && fenceFailed(ex))
            {
                throw new StaleConfigException("refused to " + what + ": fence " + fencePath +
                    " is gone (this writer's session or leadership is lost)", ex);
            }
            switch (ex.code())
            {
                case BADVERSION:
                    throw new StaleConfigException("refused to " + what +
                        ": the config changed since it was read (another master wrote it)", ex);
                case NODEEXISTS:
                    throw new StaleConfigException("refused to " + what + ": a config already exists", ex);
                case NONODE:
                    throw new StaleConfigException("refused to " + what + ": the config znode is gone", ex);
                default:
                    throw ex;
            }
        }
    }

    private static boolean fenceFailed(final KeeperException ex)
    {
        // In a failed multi, each op has a result; the fence check is the first op.
        final List<OpResult> results = ex.getResults();
        return null != results && !results.isEmpty() && results.get(0) instanceof OpResult.ErrorResult &&
            ((OpResult.ErrorResult)results.get(0)).getErr() == KeeperException.Code.NONODE.intValue();
    }

    private void ensureClusterPath() throws Exception
    {
        if (null == client.checkExists().forPath(paths.clusterPath()))
        {
            try
            {
                client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(paths.clusterPath());
            }
            catch (final KeeperException.NodeExistsException ignore)
            {
                // Another writer created it first: what we wanted.
            }
        }
    }

    private void checkCluster(final ClusterConfig config)
    {
        if (!config.clusterName().equals(paths.cluster()))
        {
            throw new IllegalArgumentException("config of cluster " + config.clusterName() + " cannot be written to " +
                paths.configPath());
        }
    }
}
