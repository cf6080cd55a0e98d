package io.chainkv.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;

/**
 * The ACL of every znode a ChainKV cluster creates (docs/security.md, "ZooKeeper"), decided by the path alone so that
 * a znode gets the same ACL whichever process creates it:
 * <pre>
 * path                              anyone   chainkv-master  chainkv-node     chainkv-operator
 * /chainkv, /chainkv/&lt;cluster&gt;       read     all             read, create     read, create
 * .../config                        read     all             (read)           (read)
 * .../nodes                         -        all             read, create,    read, create, delete
 *                                                             delete
 * .../nodes/&lt;id&gt; (registrations)    -        all             all              all
 * .../removals, .../removals/&lt;id&gt;    -        all             -                all
 * .../masters/...                   -        all             -                read
 * anything else under the cluster   -        all             read             read
 * </pre>
 * Applications read the configuration without credentials; only masters write it; registrations (which a master
 * takes as live members, and a BACKUP registration gets the whole store streamed to it) can be made only by nodes and
 * operators. ZooKeeper checks a delete against the parent's ACL, so a node principal may delete any registration:
 * nodes share one principal, and a node is trusted on the data path anyway (docs/security.md, "Threat model").
 */
public final class ZooKeeperAcls implements ACLProvider
{
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperAcls.class);

    private static final int READ = ZooDefs.Perms.READ;
    private static final int ALL = ZooDefs.Perms.ALL;
    private static final int READ_CREATE = ZooDefs.Perms.READ | ZooDefs.Perms.CREATE;
    private static final int READ_CREATE_DELETE = READ_CREATE | ZooDefs.Perms.DELETE;

    private final List<ACL> root;
    private final List<ACL> config;
    private final List<ACL> nodes;
    private final List<ACL> registration;
    private final List<ACL> removals;
    private final List<ACL> masters;
    private final List<ACL> other;

    /**
     * @param credentials names every principal (its password or its digest).
     */
    public ZooKeeperAcls(final ZooKeeperCredentials credentials)
    {
        final Id master = credentials.id(ZooKeeperPrincipal.MASTER);
        final Id node = credentials.id(ZooKeeperPrincipal.NODE);
        final Id operator = credentials.id(ZooKeeperPrincipal.OPERATOR);
        final Id anyone = ZooDefs.Ids.ANYONE_ID_UNSAFE;
        root = acl(new ACL(READ, anyone), new ACL(ALL, master), new ACL(READ_CREATE, node),
            new ACL(READ_CREATE, operator));
        config = acl(new ACL(READ, anyone), new ACL(ALL, master));
        nodes = acl(new ACL(ALL, master), new ACL(READ_CREATE_DELETE, node),
            new ACL(READ_CREATE_DELETE, operator));
        registration = acl(new ACL(ALL, master), new ACL(ALL, node), new ACL(ALL, operator));
        removals = acl(new ACL(ALL, master), new ACL(ALL, operator));
        masters = acl(new ACL(ALL, master), new ACL(READ, operator));
        other = acl(new ACL(ALL, master), new ACL(READ, node), new ACL(READ, operator));
    }

    /**
     * ZooKeeper checks an ACL with {@code contains(null)}, which an immutable {@code List.of} answers by throwing.
     */
    private static List<ACL> acl(final ACL... entries)
    {
        return Collections.unmodifiableList(Arrays.asList(entries));
    }

    /**
     * @return the ACL of a path outside any cluster: that of {@link ClusterPaths#ROOT}.
     */
    public List<ACL> getDefaultAcl()
    {
        return root;
    }

    /**
     * @param path a znode's path.
     * @return the ACL it is created with.
     */
    public List<ACL> getAclForPath(final String path)
    {
        if (null == path || !path.startsWith(ClusterPaths.ROOT + "/"))
        {
            return root;
        }
        final List<String> segments = ZKPaths.split(path.substring(ClusterPaths.ROOT.length()));
        if (segments.size() <= 1)
        {
            return root;
        }
        switch (segments.get(1))
        {
            case "config":
                return 2 == segments.size() ? config : other;
            case "nodes":
                return 2 == segments.size() ? nodes : registration;
            case "removals":
                return removals;
            case "masters":
                return masters;
            default:
                return other;
        }
    }

    /**
     * Sets these ACLs on every znode of a cluster that has another (docs/security.md, "ZooKeeper", "Clusters created
     * before ACLs"); masters do it as they start and every little while after.
     * <p>
     * Registrations are left as their node made them: a node that connected anonymously could not publish its state
     * any more, and a registration goes with its session anyway. Their parent is locked only once no registration is
     * world-writable, that is once the last anonymous node has re-registered with a login.
     *
     * @param client a started client logged in as a principal with ADMIN on the znodes (a master).
     * @param paths  the cluster's layout.
     * @return the number of znodes whose ACL changed.
     * @throws Exception on a ZooKeeper error other than a znode vanishing or refusing (the latter is logged).
     */
    public int apply(final CuratorFramework client, final ClusterPaths paths) throws Exception
    {
        int changed = 0;
        final List<String> pending = new ArrayList<>(List.of(ClusterPaths.ROOT, paths.clusterPath()));
        while (!pending.isEmpty())
        {
            final String path = pending.remove(pending.size() - 1);
            try
            {
                final boolean registrations = paths.nodesPath().equals(path);
                if ((!registrations || !anonymousRegistrations(client, path)) && set(client, path))
                {
                    changed++;
                }
                if (!ClusterPaths.ROOT.equals(path) && !registrations)
                {
                    for (final String child : client.getChildren().forPath(path))
                    {
                        pending.add(ZKPaths.makePath(path, child));
                    }
                }
            }
            catch (final KeeperException.NoNodeException ex)
            {
                // Gone meanwhile (an ephemeral znode, a removal acted upon): nothing to protect.
            }
            catch (final KeeperException.NoAuthException ex)
            {
                LOG.warn("cannot set the ACL of {}: its ACL does not give this master ADMIN; set it with a " +
                    "ZooKeeper super user (docs/security.md, \"ZooKeeper\")", path);
            }
        }
        return changed;
    }

    private boolean set(final CuratorFramework client, final String path) throws Exception
    {
        final List<ACL> want = getAclForPath(path);
        if (new HashSet<>(client.getACL().forPath(path)).equals(new HashSet<>(want)))
        {
            return false;
        }
        client.setACL().withACL(want).forPath(path);
        LOG.info("set the ACL of {} (docs/security.md, \"ZooKeeper\")", path);
        return true;
    }

    private static boolean anonymousRegistrations(final CuratorFramework client, final String nodesPath)
        throws Exception
    {
        for (final String child : client.getChildren().forPath(nodesPath))
        {
            try
            {
                for (final ACL acl : client.getACL().forPath(ZKPaths.makePath(nodesPath, child)))
                {
                    if (ZooDefs.Ids.ANYONE_ID_UNSAFE.equals(acl.getId()))
                    {
                        LOG.info("{} stays open: {} registered without a ZooKeeper login (docs/security.md, " +
                            "\"ZooKeeper\")", nodesPath, child);
                        return true;
                    }
                }
            }
            catch (final KeeperException.NoNodeException ex)
            {
                // That node's session ended meanwhile.
            }
        }
        return false;
    }
}
