package io.chainkv.faults.nemesis;

import io.chainkv.faults.cluster.FaultCluster;
import io.chainkv.node.harness.ChildProcess;

import java.util.List;
import java.util.SplittableRandom;

/**
 * kill -9 of the ZooKeeper server (of one server of an ensemble, at random, the leader as likely as a follower), and
 * its restart on its data directory: every node connected to it suspends and must stop serving until it has confirmed
 * its session again. Mostly a quick restart, which sessions survive; one time in
 * four the server stays down past the session timeout, so sessions may expire and nodes re-register.
 */
public final class RestartZooKeeper implements Nemesis
{
    public String name()
    {
        return "restart-zookeeper";
    }

    public Fault inject(final FaultCluster cluster, final SplittableRandom random)
    {
        final List<ChildProcess> servers = cluster.local().zooKeeperServers();
        final int serverId = 1 + random.nextInt(servers.size());
        final ChildProcess zooKeeper = servers.get(serverId - 1);
        if (!zooKeeper.isAlive())
        {
            return null;
        }
        final String which = 1 == servers.size() ? "the ZooKeeper server" : "ZooKeeper server " + serverId + " (" +
            cluster.local().zooKeeperMode(serverId) + ")";
        final boolean pastSession = random.nextInt(4) == 0;
        final long holdMs = pastSession ? Targets.between(random, cluster.sessionTimeoutMs(),
            cluster.sessionTimeoutMs() * 2L) : Targets.between(random, 0, 500);
        zooKeeper.kill9();
        return new Fault("kill -9 " + which + ", down for " + holdMs + " ms", holdMs, () ->
        {
            zooKeeper.restart();
            return "restarted " + which;
        });
    }
}
