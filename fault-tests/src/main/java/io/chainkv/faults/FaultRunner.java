package io.chainkv.faults;

import io.chainkv.faults.checker.Anomaly;
import io.chainkv.faults.checker.Checkers;
import io.chainkv.faults.checker.HistoryChecker;
import io.chainkv.faults.cluster.NetworkNamespaces;
import io.chainkv.faults.history.HistoryFile;
import io.chainkv.faults.history.Operation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs the fault-injection suite for a given time and prints its report (scripts/fault-run.sh); or checks a kept
 * history again with {@code --check FILE}. Exit status: 0 no anomaly, 1 anomalies or a harness error, 2 bad usage.
 */
@Command(name = "fault-run", mixinStandardHelpOptions = true,
    description = "Start real ChainKV clusters, break them on a random schedule while clients run, and check the " +
        "history: linearizability per key, survival of acknowledged writes, no write applied twice.")
public final class FaultRunner implements Callable<Integer>
{
    @Option(names = "--minutes", defaultValue = "10", description = "How long the fault schedules run (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--seed", description = "Random seed (default: the time); the report prints it.")
    Long seed;

    @Option(names = "--nodes", defaultValue = "5", description = "Nodes per cluster (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--replication-factor", description = "Chain length at bootstrap (default: --nodes).")
    Integer replicationFactor;

    @Option(names = "--session-timeout-ms", defaultValue = "2000", description = "ZooKeeper session of nodes and masters (default ${DEFAULT-VALUE}).")
    int sessionTimeoutMs;

    @Option(names = "--segment-seconds", defaultValue = "120", description = "Life of one cluster before it is checked and replaced (default ${DEFAULT-VALUE}).")
    int segmentSeconds;

    @Option(names = "--clients", defaultValue = "6", description = "Client threads (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--keys", defaultValue = "5", description = "Keys in use at any time (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--ops-per-key", defaultValue = "200", description = "Operations before a key is replaced by a fresh one (default ${DEFAULT-VALUE}).")
    int opsPerKey;

    @Option(names = "--loss-rate", defaultValue = "0.02", description = "Aeron receive loss rate on odd segments, 0 for none (default ${DEFAULT-VALUE}).")
    double lossRate;

    @Option(names = "--nemeses", split = ",", defaultValue = "all", description = "Comma-separated nemeses or 'all': kill-node, pause-node, kill-master, pause-master, restart-zookeeper, isolate-node, cut-from-zookeeper, partition-nodes.")
    List<String> nemeses;

    @Option(names = "--no-namespaces", description = "Run nodes in the root namespace (skips the network nemeses).")
    boolean noNamespaces;

    @Option(names = "--no-heal", description = "Start masters with --no-heal: killed or paused nodes never rejoin, " +
        "chains only shrink.")
    boolean noHeal;

    @Option(names = "--keep-histories", description = "Keep every segment's history, not only failing ones.")
    boolean keepHistories;

    @Option(names = "--out", description = "Output directory (default: fault-results/<date-time>-seed<S>).")
    Path out;

    @Option(names = "--check", paramLabel = "FILE", description = "Check a kept history (JSON lines) and exit.")
    Path check;

    public Integer call() throws Exception
    {
        if (null != check)
        {
            return checkFile(check);
        }
        final long runSeed = null == seed ? System.currentTimeMillis() : seed;
        final Path outDir = (null != out ? out : Path.of("fault-results",
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-seed" + runSeed))
            .toAbsolutePath();
        final String namespaceProblem = noNamespaces ? "disabled by --no-namespaces" : NetworkNamespaces.unavailableReason();
        if (null != namespaceProblem)
        {
            System.out.println("network partitions skipped: " + namespaceProblem);
        }
        final RunSettings settings = RunSettings.defaults(Duration.ofMillis((long)(minutes * 60_000)), runSeed, outDir)
            .withNodes(nodes, null == replicationFactor ? nodes : replicationFactor)
            .withSessionTimeoutMs(sessionTimeoutMs)
            .withSegment(Duration.ofSeconds(segmentSeconds))
            .withClients(clients, keys, opsPerKey)
            .withLossRate(lossRate)
            .withNemeses(nemeses, null == namespaceProblem)
            .withHeal(!noHeal)
            .withKeepHistories(keepHistories);
        System.out.println("fault run: seed " + runSeed + ", " + minutes + " min, output " + outDir);
        final RunReport report = new FaultRun(settings, System.out).run();
        System.out.println();
        System.out.print(report.toText());
        return report.passed() ? 0 : 1;
    }

    private static int checkFile(final Path file) throws Exception
    {
        final List<Operation> ops = HistoryFile.readOperations(file);
        int found = 0;
        for (final HistoryChecker checker : Checkers.all())
        {
            final List<Anomaly> anomalies = checker.check(ops);
            System.out.println(checker.name() + ": " + (anomalies.isEmpty() ? "ok" : anomalies.size() + " anomalies"));
            for (final Anomaly anomaly : anomalies)
            {
                System.out.print("  " + anomaly.describe());
            }
            found += anomalies.size();
        }
        System.out.println(ops.size() + " operations checked; " + found + " anomalies");
        return found == 0 ? 0 : 1;
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new FaultRunner()).execute(args));
    }
}
