package io.chainkv.faults.nemesis;

import java.util.ArrayList;
import java.util.List;

/**
 * The nemeses a run can use, by name.
 */
public final class Nemeses
{
    /** Names of the nemeses that need network namespaces (root). */
    public static final List<String> NETWORK = List.of("isolate-node", "cut-from-zookeeper", "partition-nodes",
        "partition-zookeeper-server");

    private Nemeses()
    {
    }

    /**
     * @return every nemesis.
     */
    public static List<Nemesis> all()
    {
        return List.of(new KillNode(), new PauseNode(), new KillMaster(), new PauseMaster(), new RestartZooKeeper(),
            new IsolateNode(), new CutNodeFromZooKeeper(), new PartitionNodes(), new KillGiverDuringHandoff(),
            new SlowJoiner(), new KillEverything(), new PartitionZooKeeperServer());
    }

    /**
     * @param names nemesis names, or "all".
     * @return those nemeses.
     * @throws IllegalArgumentException naming an unknown one.
     */
    public static List<Nemesis> named(final List<String> names)
    {
        if (names.contains("all"))
        {
            return all();
        }
        final List<Nemesis> chosen = new ArrayList<>();
        for (final String name : names)
        {
            chosen.add(all().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no nemesis " + name + "; known: " +
                    all().stream().map(Nemesis::name).toList())));
        }
        return chosen;
    }
}
