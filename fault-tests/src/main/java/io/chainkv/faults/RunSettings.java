package io.chainkv.faults;

import io.chainkv.faults.nemesis.Nemeses;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a fault run does: how long, with which seed, on what cluster, with which clients and nemeses. Immutable;
 * each {@code with...} returns a copy.
 *
 * @param duration          total time of the fault schedules (cluster start-up and checking come on top).
 * @param seed              seeds the schedule's and the clients' random choices.
 * @param nodes             nodes per cluster.
 * @param replicationFactor chain length at bootstrap (the rest are spares).
 * @param sessionTimeoutMs  ZooKeeper session of nodes and masters.
 * @param segment           how long one cluster lives before it is checked and a fresh one started.
 * @param processes         client threads (one operation in flight each).
 * @param keys              keys in use at any time.
 * @param opsPerKey         operations a key sees before it is replaced by a fresh one.
 * @param lossRate          Aeron receive loss rate for the nodes of odd segments (0: none).
 * @param nemeses           nemesis names, or "all".
 * @param namespaces        put nodes in network namespaces (needed by the network nemeses; needs root).
 * @param heal              let the masters heal chains (default): restarted nodes and spares rejoin at the tail.
 * @param outDir            where cluster logs and failing histories go.
 * @param keepHistories     keep every segment's history, not only failing ones.
 */
public record RunSettings(
    Duration duration,
    long seed,
    int nodes,
    int replicationFactor,
    int sessionTimeoutMs,
    Duration segment,
    int processes,
    int keys,
    int opsPerKey,
    double lossRate,
    List<String> nemeses,
    boolean namespaces,
    boolean heal,
    Path outDir,
    boolean keepHistories)
{
    /**
     * @return defaults: 5 nodes all in the chain, 2 s sessions, 2-minute segments, 6 client threads on 5 keys,
     * 2% loss on odd segments, every nemesis, namespaces when root, healing on.
     */
    public static RunSettings defaults(final Duration duration, final long seed, final Path outDir)
    {
        return new RunSettings(duration, seed, 5, 5, 2_000, Duration.ofMinutes(2), 6, 5, 200, 0.02,
            List.of("all"), null == io.chainkv.faults.cluster.NetworkNamespaces.unavailableReason(), true, outDir,
            false);
    }

    public RunSettings withNodes(final int nodeCount, final int rf)
    {
        return new RunSettings(duration, seed, nodeCount, rf, sessionTimeoutMs, segment, processes, keys, opsPerKey,
            lossRate, nemeses, namespaces, heal, outDir, keepHistories);
    }

    public RunSettings withSegment(final Duration segmentLength)
    {
        return new RunSettings(duration, seed, nodes, replicationFactor, sessionTimeoutMs, segmentLength, processes,
            keys, opsPerKey, lossRate, nemeses, namespaces, heal, outDir, keepHistories);
    }

    public RunSettings withLossRate(final double rate)
    {
        return new RunSettings(duration, seed, nodes, replicationFactor, sessionTimeoutMs, segment, processes, keys,
            opsPerKey, rate, nemeses, namespaces, heal, outDir, keepHistories);
    }

    public RunSettings withNemeses(final List<String> names, final boolean useNamespaces)
    {
        return new RunSettings(duration, seed, nodes, replicationFactor, sessionTimeoutMs, segment, processes, keys,
            opsPerKey, lossRate, List.copyOf(names), useNamespaces, heal, outDir, keepHistories);
    }

    public RunSettings withClients(final int processCount, final int keyCount, final int opsPerKeyCount)
    {
        return new RunSettings(duration, seed, nodes, replicationFactor, sessionTimeoutMs, segment, processCount,
            keyCount, opsPerKeyCount, lossRate, nemeses, namespaces, heal, outDir, keepHistories);
    }

    public RunSettings withSessionTimeoutMs(final int ms)
    {
        return new RunSettings(duration, seed, nodes, replicationFactor, ms, segment, processes, keys, opsPerKey,
            lossRate, nemeses, namespaces, heal, outDir, keepHistories);
    }

    public RunSettings withHeal(final boolean add)
    {
        return new RunSettings(duration, seed, nodes, replicationFactor, sessionTimeoutMs, segment, processes, keys,
            opsPerKey, lossRate, nemeses, namespaces, add, outDir, keepHistories);
    }

    public RunSettings withKeepHistories(final boolean keep)
    {
        return new RunSettings(duration, seed, nodes, replicationFactor, sessionTimeoutMs, segment, processes, keys,
            opsPerKey, lossRate, nemeses, namespaces, heal, outDir, keep);
    }

    /**
     * @return the nemesis names in use, without the network ones when there are no namespaces.
     */
    public List<String> effectiveNemeses()
    {
        return Nemeses.named(nemeses).stream().map(n -> n.name())
            .filter(name -> namespaces || !Nemeses.NETWORK.contains(name)).toList();
    }
}
