package io.chainkv.master.zk;

import io.chainkv.cluster.ClusterPaths;
import io.chainkv.cluster.ZooKeeperAcls;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a cluster's znodes under ChainKV's ACLs from a master (docs/security.md, "ZooKeeper"): once as the master starts,
 * before it joins the election, then every {@link #PERIOD_MS} ms, so a cluster created before ACLs is locked down as
 * its nodes re-register with logins, and an ACL changed by hand is put back.
 */
public final class AclGuard implements AutoCloseable
{
    /** How often the ACLs are checked after the start: a few reads per znode, a few dozen znodes. */
    public static final long PERIOD_MS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(AclGuard.class);

    private final CuratorFramework client;
    private final ClusterPaths paths;
    private final ZooKeeperAcls acls;
    private final ScheduledExecutorService timer;

    private AclGuard(final CuratorFramework client, final ClusterPaths paths, final ZooKeeperAcls acls)
    {
        this.client = client;
        this.paths = paths;
        this.acls = acls;
        this.timer = Executors.newSingleThreadScheduledExecutor((task) ->
        {
            final Thread thread = new Thread(task, "chainkv-acl-guard");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Applies the ACLs now and keeps applying them.
     *
     * @param client a started client logged in as the master.
     * @param paths  the cluster's layout.
     * @param acls   the cluster's ACLs.
     * @return the running guard; close it before the client.
     * @throws Exception if the first pass fails on a ZooKeeper error.
     */
    public static AclGuard start(final CuratorFramework client, final ClusterPaths paths, final ZooKeeperAcls acls)
        throws Exception
    {
        final AclGuard guard = new AclGuard(client, paths, acls);
        final int changed = acls.apply(client, paths);
        if (changed > 0)
        {
            LOG.info("locked down {} znodes of {} (docs/security.md, \"ZooKeeper\")", changed, paths);
        }
        guard.timer.scheduleWithFixedDelay(guard::check, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        return guard;
    }

    private void check()
    {
        try
        {
            acls.apply(client, paths);
        }
        catch (final Exception ex)
        {
            // ZooKeeper unreachable for now: the next pass tries again.
            LOG.debug("ACL check of {} failed: {}", paths, ex.toString());
        }
    }

    public void close()
    {
        timer.shutdownNow();
    }
}
