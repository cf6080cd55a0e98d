package io.chainkv.faults.cluster;

import io.chainkv.master.harness.NodeNetwork;
import io.chainkv.master.harness.ZooKeeperNetwork;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Puts each node in a network namespace of its own, so the nemeses can cut the network between processes on one
 * machine: a veth pair per node joins its namespace to a bridge in the root namespace, where ZooKeeper, the
 * masters and the clients run.
 * <pre>
 *   root namespace: bridge ckvf&lt;tag&gt;br  10.231.&lt;t&gt;.1 (ZooKeeper as the nodes see it), .2 (clients' replies)
 *   node n&lt;i&gt;:     namespace ckvf&lt;tag&gt;-n&lt;i&gt;, veth ckvf&lt;tag&gt;n&lt;i&gt; = 10.231.&lt;t&gt;.(10+i), peer ckvf&lt;tag&gt;h&lt;i&gt; on the bridge
 *   ZooKeeper server z&lt;j&gt; of an ensemble (when asked for): namespace ckvf&lt;tag&gt;-z&lt;j&gt;, veth ckvf&lt;tag&gt;nz&lt;j&gt; =
 *                    10.231.&lt;t&gt;.(240+j), peer ckvf&lt;tag&gt;hz&lt;j&gt; on the bridge
 * </pre>
 * Faults, none of which needs iptables or tc:
 * <ul>
 * <li>{@link #isolate}: the node's link goes down; it reaches nothing (ZooKeeper, neighbours, clients);</li>
 * <li>{@link #cutFromZooKeeper}: a blackhole route to ZooKeeper's address in the node's namespace; its session
 * expires while it still reaches its neighbours and the clients (the split-brain case);</li>
 * <li>{@link #partition}: blackhole routes between two nodes, both ways;</li>
 * <li>{@link #partitionServer}: blackhole routes between one ZooKeeper server and the others of its ensemble, both
 * ways: it loses the leader (or the leader its quorum) while its clients still reach it.</li>
 * </ul>
 * Needs root ({@code ip netns}); {@link #unavailableReason()} says why it cannot be used otherwise. Everything it
 * makes carries the prefix {@value #PREFIX} and the creating process's tag; {@link #close()} removes it, and
 * {@link #removeLeftovers()} removes what a crashed run left (names with the prefix whose process is gone).
 */
public final class NetworkNamespaces implements NodeNetwork, ZooKeeperNetwork, AutoCloseable
{
    /** Prefix of every namespace, bridge and veth this class makes. */
    public static final String PREFIX = "ckvf";

    private final String tag;
    private final String subnet;
    private final Map<String, Integer> nodeIndex = new LinkedHashMap<>();
    private int servers;
    private final List<String> blackholes = new ArrayList<>();
    private boolean closed;

    private NetworkNamespaces(final String tag, final String subnet)
    {
        this.tag = tag;
        this.subnet = subnet;
    }

    /**
     * @return null if namespaces can be made here, else a sentence saying why not (not root, no {@code ip}).
     */
    public static String unavailableReason()
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            return "network partitions need root (ip netns); running as " + System.getProperty("user.name");
        }
        // Root without CAP_NET_ADMIN (some containers) can list namespaces but not make them: try both kinds.
        final String tag = PREFIX + (ProcessHandle.current().pid() % 100_000);
        final IpCommand.Result namespace = IpCommand.tryRun("netns", "add", tag + "-probe");
        IpCommand.tryRun("netns", "del", tag + "-probe");
        if (namespace.exitCode() != 0)
        {
            return "ip netns does not work here: " + namespace.output().trim();
        }
        final IpCommand.Result bridge = IpCommand.tryRun("link", "add", tag + "pb", "type", "bridge");
        IpCommand.tryRun("link", "del", tag + "pb");
        if (bridge.exitCode() != 0)
        {
            return "cannot make a bridge here: " + bridge.output().trim();
        }
        return null;
    }

    /**
     * Makes the bridge and one namespace per node.
     *
     * @param nodeIds the nodes, e.g. n1..n5; at most 200.
     * @return the network; close it.
     */
    public static NetworkNamespaces create(final List<String> nodeIds)
    {
        return create(nodeIds, 0);
    }

    /**
     * Makes the bridge, one namespace per node and one per ZooKeeper server of an ensemble.
     *
     * @param nodeIds the nodes, e.g. n1..n5 (none: nodes run in the root namespace); at most 200.
     * @param servers ZooKeeper servers z1..zN to place in namespaces of their own; 0 for none (a standalone server
     *                in the root namespace).
     * @return the network; close it.
     */
    public static NetworkNamespaces create(final List<String> nodeIds, final int servers)
    {
        removeLeftovers();
        final long pid = ProcessHandle.current().pid();
        final String tag = Long.toString(pid % 100_000);
        final NetworkNamespaces network = new NetworkNamespaces(tag, "10.231." + (pid % 250) + ".");
        try
        {
            network.build(nodeIds, servers);
        }
        catch (final RuntimeException ex)
        {
            network.close();
            throw ex;
        }
        return network;
    }

    /**
     * Removes namespaces and links with the prefix whose creating process no longer runs (or is this one).
     *
     * @return the names removed.
     */
    public static List<String> removeLeftovers()
    {
        return removeTagged(NetworkNamespaces::isLeftover);
    }

    /**
     * Removes every namespace and link this process made and still has: the last sweep of a run, after its
     * networks were closed, so a close that failed halfway (or never ran) leaves nothing behind.
     *
     * @return the names removed; empty when every network was closed properly.
     */
    public static List<String> removeOwn()
    {
        final String own = Long.toString(ProcessHandle.current().pid() % 100_000);
        return removeTagged(own::equals);
    }

    private static List<String> removeTagged(final Predicate<String> tagMatches)
    {
        final List<String> removed = new ArrayList<>();
        final IpCommand.Result namespaces = IpCommand.tryRun("netns", "list");
        if (namespaces.exitCode() == 0)
        {
            for (final String line : namespaces.output().split("\n"))
            {
                final String name = line.trim().split("\\s+")[0];
                if (name.startsWith(PREFIX) && tagMatches.test(name.substring(PREFIX.length()).split("-")[0]) &&
                    IpCommand.tryRun("netns", "del", name).exitCode() == 0)
                {
                    removed.add("network namespace " + name);
                }
            }
        }
        final IpCommand.Result links = IpCommand.tryRun("-o", "link", "show");
        if (links.exitCode() == 0)
        {
            for (final String line : links.output().split("\n"))
            {
                final String[] parts = line.split(":\\s+");
                if (parts.length < 2)
                {
                    continue;
                }
                final String name = parts[1].split("@")[0];
                // Deleting one end of a veth pair deletes the other: it may be gone by the time its line comes.
                final String tag =
                    name.startsWith(PREFIX) ? name.substring(PREFIX.length()).replaceAll("[a-z].*$", "") : "";
                if (!tag.isEmpty() && tagMatches.test(tag) && IpCommand.tryRun("link", "del", name).exitCode() == 0)
                {
                    removed.add("link " + name);
                }
            }
        }
        return removed;
    }

    private static boolean isLeftover(final String tag)
    {
        if (tag.isEmpty() || !tag.chars().allMatch(Character::isDigit))
        {
            return false;
        }
        final long current = ProcessHandle.current().pid() % 100_000;
        if (Long.parseLong(tag) == current)
        {
            return true;
        }
        return ProcessHandle.allProcesses().noneMatch(p -> p.pid() % 100_000 == Long.parseLong(tag));
    }

    private void build(final List<String> nodeIds, final int serverCount)
    {
        final String bridge = bridge();
        IpCommand.run("link", "add", bridge, "type", "bridge");
        IpCommand.run("addr", "add", zooKeeperHost() + "/24", "dev", bridge);
        IpCommand.run("addr", "add", clientHost() + "/24", "dev", bridge);
        IpCommand.run("link", "set", bridge, "up");
        int i = 0;
        for (final String nodeId : nodeIds)
        {
            i++;
            nodeIndex.put(nodeId, i);
            final String ns = namespace(nodeId);
            IpCommand.run("netns", "add", ns);
            IpCommand.run("link", "add", hostVeth(nodeId), "type", "veth", "peer", "name", nodeVeth(nodeId));
            IpCommand.run("link", "set", nodeVeth(nodeId), "netns", ns);
            IpCommand.run("link", "set", hostVeth(nodeId), "master", bridge);
            IpCommand.run("link", "set", hostVeth(nodeId), "up");
            IpCommand.run("-n", ns, "addr", "add", nodeHost(nodeId) + "/24", "dev", nodeVeth(nodeId));
            IpCommand.run("-n", ns, "link", "set", nodeVeth(nodeId), "up");
            IpCommand.run("-n", ns, "link", "set", "lo", "up");
        }
        for (int j = 1; j <= serverCount; j++)
        {
            servers = j;
            final String ns = serverNamespace(j);
            IpCommand.run("netns", "add", ns);
            IpCommand.run("link", "add", PREFIX + tag + "hz" + j, "type", "veth", "peer", "name", PREFIX + tag + "nz" + j);
            IpCommand.run("link", "set", PREFIX + tag + "nz" + j, "netns", ns);
            IpCommand.run("link", "set", PREFIX + tag + "hz" + j, "master", bridge);
            IpCommand.run("link", "set", PREFIX + tag + "hz" + j, "up");
            IpCommand.run("-n", ns, "addr", "add", serverHost(j) + "/24", "dev", PREFIX + tag + "nz" + j);
            IpCommand.run("-n", ns, "link", "set", PREFIX + tag + "nz" + j, "up");
            IpCommand.run("-n", ns, "link", "set", "lo", "up");
        }
    }

    public String serverHost(final int serverId)
    {
        if (serverId < 1 || serverId > Math.max(servers, 9))
        {
            throw new IllegalArgumentException("no ZooKeeper server " + serverId);
        }
        return subnet + (240 + serverId);
    }

    public List<String> serverCommandPrefix(final int serverId)
    {
        return List.of("ip", "netns", "exec", serverNamespace(serverId));
    }

    /**
     * Drops everything between one ZooKeeper server and the other servers of the ensemble, both ways; its clients (in
     * the root namespace or other namespaces) still reach it.
     *
     * @param serverId 1..N.
     */
    public void partitionServer(final int serverId)
    {
        for (int other = 1; other <= servers; other++)
        {
            if (other != serverId)
            {
                blackholeIn(serverNamespace(serverId), serverHost(other));
                blackholeIn(serverNamespace(other), serverHost(serverId));
            }
        }
    }

    public String nodeHost(final String nodeId)
    {
        return subnet + (10 + index(nodeId));
    }

    public String zooKeeperHost()
    {
        return subnet + "1";
    }

    /**
     * @return the root namespace's address the clients bind their reply channel to.
     */
    public String clientHost()
    {
        return subnet + "2";
    }

    public List<String> commandPrefix(final String nodeId)
    {
        return List.of("ip", "netns", "exec", namespace(nodeId));
    }

    /**
     * Takes the node's link down: it reaches nothing and nothing reaches it.
     */
    public void isolate(final String nodeId)
    {
        IpCommand.run("link", "set", hostVeth(nodeId), "down");
    }

    /**
     * Brings the node's link up again.
     */
    public void reconnect(final String nodeId)
    {
        IpCommand.run("link", "set", hostVeth(nodeId), "up");
    }

    /**
     * Drops everything the node sends to ZooKeeper, to every server of an ensemble too; it still reaches its
     * neighbours and the clients.
     */
    public void cutFromZooKeeper(final String nodeId)
    {
        blackhole(nodeId, zooKeeperHost());
        for (int j = 1; j <= servers; j++)
        {
            blackhole(nodeId, serverHost(j));
        }
    }

    /**
     * Drops everything between the two nodes, both ways.
     */
    public void partition(final String a, final String b)
    {
        blackhole(a, nodeHost(b));
        blackhole(b, nodeHost(a));
    }

    /**
     * Removes every blackhole route {@link #cutFromZooKeeper} and {@link #partition} added.
     */
    public synchronized void healRoutes()
    {
        for (final String route : blackholes)
        {
            final String[] parts = route.split(" ");
            IpCommand.tryRun("-n", parts[0], "route", "del", "blackhole", parts[1] + "/32");
        }
        blackholes.clear();
    }

    /**
     * Heals everything: links up, blackhole routes gone.
     */
    public void healAll()
    {
        healRoutes();
        for (final String nodeId : nodeIndex.keySet())
        {
            IpCommand.tryRun("link", "set", hostVeth(nodeId), "up");
        }
    }

    /**
     * Deletes the namespaces, veths and the bridge. Nodes in the namespaces must be stopped first.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final String nodeId : nodeIndex.keySet())
        {
            IpCommand.tryRun("link", "del", hostVeth(nodeId));
            IpCommand.tryRun("netns", "del", namespace(nodeId));
        }
        for (int j = 1; j <= servers; j++)
        {
            IpCommand.tryRun("link", "del", PREFIX + tag + "hz" + j);
            IpCommand.tryRun("netns", "del", serverNamespace(j));
        }
        IpCommand.tryRun("link", "del", bridge());
    }

    private void blackhole(final String nodeId, final String address)
    {
        blackholeIn(namespace(nodeId), address);
    }

    private synchronized void blackholeIn(final String namespace, final String address)
    {
        IpCommand.run("-n", namespace, "route", "add", "blackhole", address + "/32");
        blackholes.add(namespace + " " + address);
    }

    private int index(final String nodeId)
    {
        final Integer index = nodeIndex.get(nodeId);
        if (null == index)
        {
            throw new IllegalArgumentException("no namespace for node " + nodeId + " in " + nodeIndex.keySet());
        }
        return index;
    }

    private String bridge()
    {
        return PREFIX + tag + "br";
    }

    private String namespace(final String nodeId)
    {
        return PREFIX + tag + "-" + nodeId;
    }

    private String serverNamespace(final int serverId)
    {
        return PREFIX + tag + "-z" + serverId;
    }

    private String hostVeth(final String nodeId)
    {
        return PREFIX + tag + "h" + index(nodeId);
    }

    private String nodeVeth(final String nodeId)
    {
        return PREFIX + tag + "n" + index(nodeId);
    }
}
