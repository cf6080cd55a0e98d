package io.chainkv.perf;

import io.chainkv.client.ChainConfigSource;
import io.chainkv.client.ReadMode;
import io.chainkv.client.StaticChainConfigSource;
import io.chainkv.client.ZooKeeperChainConfigSource;
import io.chainkv.config.ChainConfig;
import io.chainkv.perf.floor.ChildJvm;
import io.chainkv.perf.floor.TransportFloor;
import io.chainkv.perf.report.ResultsWriter;
import io.chainkv.perf.report.SummaryTable;
import io.chainkv.transport.TransportSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * The benchmark runner's command line (scripts/bench.sh runs it): measures a running chain and writes
 * results.json, .hgrm files, summary.txt and report.html into a results directory.
 */
@Command(name = "chainkv-bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measures a ChainKV chain: throughput, latency percentiles, behaviour under faults.")
public final class BenchMain implements Callable<Integer>
{
    @Option(names = "--config", description = "Chain configuration file of a running cluster (e.g. run/local/chain.properties).")
    private Path config;

    @Option(names = "--cluster-dir", description = "Directory of a cluster started by scripts/local-cluster.sh: " +
        "its chain.properties is used, its logs tell the nodes' idle profile, and --kill/--restart act on it.")
    private Path clusterDir;

    @Option(names = "--zk", description = "ZooKeeper connect string of the cluster (with --cluster).")
    private String zk;

    @Option(names = "--cluster", description = "Cluster name in ZooKeeper (with --zk).")
    private String clusterName;

    @Option(names = "--workload", defaultValue = "write-only",
        description = "write-only, read-only, a (50/50), b (95/5 read/write), or custom:read=R,write=W,cas=C (default: ${DEFAULT-VALUE}).")
    private String workload;

    @Option(names = "--keys", defaultValue = "100000", description = "Number of keys (default: ${DEFAULT-VALUE}).")
    private long keys;

    @Option(names = "--key-size", defaultValue = "16", description = "Bytes per key (default: ${DEFAULT-VALUE}).")
    private int keySize;

    @Option(names = "--value-size", defaultValue = "100", description = "Bytes per value (default: ${DEFAULT-VALUE}).")
    private int valueSize;

    @Option(names = "--distribution", defaultValue = "uniform", description = "uniform or zipfian (default: ${DEFAULT-VALUE}).")
    private String distribution;

    @Option(names = "--zipf-constant", defaultValue = "0.99", description = "Skew of zipfian keys (default: ${DEFAULT-VALUE}).")
    private double zipfConstant;

    @Option(names = "--load", negatable = true,
        description = "Write every key before the run (default: when the workload reads or CASes).")
    private Boolean load;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds of warm-up, not measured (default: ${DEFAULT-VALUE}).")
    private double warmupSeconds;

    @Option(names = "--duration", defaultValue = "30", description = "Seconds measured (default: ${DEFAULT-VALUE}).")
    private double durationSeconds;

    @Option(names = "--threads", defaultValue = "1", description = "Load threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--outstanding", defaultValue = "1",
        description = "Async requests in flight per thread (closed loop), or at most (open loop) (default: ${DEFAULT-VALUE}).")
    private int outstanding;

    @Option(names = "--rate", defaultValue = "0",
        description = "Open loop: target ops/s of all threads; latency counts from each op's intended send time. 0 = closed loop.")
    private double rate;

    @Option(names = "--clients", defaultValue = "1",
        description = "Client instances the threads share (each has its own driver and a 512-request window) (default: ${DEFAULT-VALUE}).")
    private int clients;

    @Option(names = "--request-timeout", defaultValue = "5", description = "Seconds before a request fails (default: ${DEFAULT-VALUE}).")
    private double requestTimeoutSeconds;

    @Option(names = "--kill", description = "node@second: kill -9 the node at that second of the measured window (repeatable).")
    private List<String> kills = new ArrayList<>();

    @Option(names = "--restart", description = "node@second: start the node again at that second (repeatable).")
    private List<String> restarts = new ArrayList<>();

    @Option(names = "--floor", description = "Also measure the transport floor (raw Aeron through the same hops) and report the ratio.")
    private boolean floor;

    @Option(names = "--floor-duration", defaultValue = "5", description = "Seconds of the floor measurement (default: ${DEFAULT-VALUE}).")
    private double floorSeconds;

    @Option(names = "--out", description = "Results directory (default: perf-results/<date-time>).")
    private Path out;

    @Option(names = "--note", description = "A caveat to carry into the results, e.g. 'shared 2-core box' (repeatable).")
    private List<String> notes = new ArrayList<>();

    @Option(names = "--read-mode", defaultValue = "LINEARIZABLE",
        description = "LINEARIZABLE (any member, CRAQ), TAIL, READ_YOUR_WRITES, MONOTONIC or EVENTUAL (default: ${DEFAULT-VALUE}).")
    private ReadMode readMode;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    private String[] args = new String[0];

    /**
     * @param args command line; --help lists the options.
     */
    public static void main(final String[] args)
    {
        final BenchMain main = new BenchMain();
        main.args = args;
        final CommandLine commandLine = new CommandLine(main);
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            cmd.getErr().println("chainkv-bench: " + ex);
            return 2;
        });
        System.exit(commandLine.execute(args));
    }

    public Integer call() throws Exception
    {
        if (null != clusterDir && null == System.getProperty(TransportSettings.KEY_FILE_PROP) &&
            Files.exists(clusterDir.resolve("keys/client.keys")))
        {
            // The client key local-cluster.sh made for the cluster's applications (docs/security.md).
            System.setProperty(TransportSettings.KEY_FILE_PROP, clusterDir.resolve("keys/client.keys").toString());
        }
        final ChainConfigSource source = configSource();
        final FaultPlan faults = new FaultPlan();
        kills.forEach((spec) -> faults.add(spec, true));
        restarts.forEach((spec) -> faults.add(spec, false));
        final BenchSettings settings = new BenchSettings()
            .workload(Workload.named(workload))
            .keys(keys)
            .keySize(keySize)
            .valueSize(valueSize)
            .distribution(distribution)
            .zipfConstant(zipfConstant)
            .load(load)
            .warmup(seconds(warmupSeconds))
            .duration(seconds(durationSeconds))
            .threads(threads)
            .outstanding(outstanding)
            .rate(rate)
            .clients(clients)
            .requestTimeout(seconds(requestTimeoutSeconds))
            .faults(faults)
            .floor(floor)
            .floorDuration(seconds(floorSeconds))
            .readMode(readMode)
            .seed(seed);

        final Path resultsDir = null != out ? out :
            Path.of("perf-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        final BenchRun run = new BenchRun(settings, source, System.out)
            .command("bench " + String.join(" ", args))
            .transportFloor(new TransportFloor(new ChildJvm(System.getProperty("java.class.path"), null),
                resultsDir.resolve("floor-logs")));
        if (null != clusterDir)
        {
            final LocalClusterFaults local = new LocalClusterFaults(localClusterScript(), clusterDir);
            final ChainConfig chain = source.current();
            run.clusterLogs(clusterDir.resolve("logs"))
                .faultInjector(local)
                .floorQuiet(new BenchRun.FloorQuiet()
                {
                    public void pause() throws Exception
                    {
                        for (final var member : chain.members())
                        {
                            local.pause(member.nodeId());
                        }
                    }

                    public void resume() throws Exception
                    {
                        for (final var member : chain.members())
                        {
                            local.resume(member.nodeId());
                        }
                    }
                });
        }
        notes.forEach(run::note);

        final BenchResult result;
        try
        {
            result = run.run();
        }
        finally
        {
            if (source instanceof AutoCloseable)
            {
                ((AutoCloseable)source).close();
            }
        }
        ResultsWriter.write(resultsDir, result, run.histograms());
        System.out.println();
        System.out.print(SummaryTable.render(result));
        System.out.println("results: " + resultsDir.toAbsolutePath());
        System.out.println("report:  " + resultsDir.toAbsolutePath().resolve("report.html"));
        return 0;
    }

    private ChainConfigSource configSource() throws Exception
    {
        if (null != zk)
        {
            return ZooKeeperChainConfigSource.connect(zk, null != clusterName ? clusterName : "chainkv");
        }
        if (null != clusterName)
        {
            throw new IllegalArgumentException("--cluster goes with --zk <connect>");
        }
        if (null != config)
        {
            return new StaticChainConfigSource(ChainConfig.load(config));
        }
        if (null != clusterDir)
        {
            final Path staticConfig = clusterDir.resolve("chain.properties");
            if (Files.exists(staticConfig))
            {
                return new StaticChainConfigSource(ChainConfig.load(staticConfig));
            }
            // A ZooKeeper-mode cluster of scripts/local-cluster.sh records where its ZooKeeper is.
            final Properties env = new Properties();
            try (Reader reader = Files.newBufferedReader(clusterDir.resolve("cluster.env")))
            {
                env.load(reader);
            }
            return ZooKeeperChainConfigSource.connect(env.getProperty("zk"), env.getProperty("cluster"));
        }
        throw new IllegalArgumentException("say where the cluster is: --zk <connect> --cluster <name>, " +
            "--config <chain.properties> or --cluster-dir <dir>");
    }

    private static Path localClusterScript()
    {
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            final Path script = dir.resolve("scripts").resolve("local-cluster.sh");
            if (script.toFile().isFile())
            {
                return script;
            }
        }
        throw new IllegalStateException("scripts/local-cluster.sh not found above " + Path.of("").toAbsolutePath());
    }

    private static Duration seconds(final double seconds)
    {
        return Duration.ofNanos((long)(seconds * 1e9));
    }
}
