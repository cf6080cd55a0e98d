package io.chainkv.master.zk;

import io.chainkv.config.LoggingDefaults;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Runs one standalone ZooKeeper server in its own process, for a local cluster that has no ensemble: the same
 * server as {@link EmbeddedZooKeeper}, with a short tick so ChainKV's sub-second sessions are allowed.
 * <p>
 * Named so as not to be confused with ZooKeeper's own {@code org.apache.zookeeper.server.ZooKeeperServerMain}.
 * Listens on 127.0.0.1 unless {@code --host} says otherwise. Prints {@code chainkv-zookeeper ready
 * connect=HOST:PORT} on standard output once the server answers
 * {@code srvr} with its {@code Mode:}, and runs until SIGTERM or SIGINT. Its data stays in {@code --data-dir},
 * so a restart on the same directory keeps the cluster's configuration.
 */
@Command(
    name = "chainkv-zookeeper",
    mixinStandardHelpOptions = true,
    description = "Runs a standalone ZooKeeper server for a local ChainKV cluster.")
public final class StandaloneZooKeeperMain implements Callable<Integer>
{
    /** What the process prints once it serves, followed by {@code connect=127.0.0.1:PORT}. */
    public static final String READY_PREFIX = "chainkv-zookeeper ready ";

    @Option(names = "--host", defaultValue = EmbeddedZooKeeper.DEFAULT_HOST,
        description = "Address to listen on: loopback by default, so only this host reaches the server (it has no " +
            "authentication); 0.0.0.0 or an interface's address for nodes on other hosts (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "2181",
        description = "Client port (0: any free port; the ready line says which) (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", required = true,
        description = "Where the server keeps its snapshots and transaction log; kept on exit.")
    Path dataDir;

    @Option(names = "--tick-ms", defaultValue = "" + EmbeddedZooKeeper.DEFAULT_TICK_MS,
        description = "ZooKeeper tick; the shortest session it allows is two ticks (default: ${DEFAULT-VALUE}).")
    int tickMs;

    @Option(names = "--ready-timeout-ms", defaultValue = "30000",
        description = "How long to wait for the server to serve before giving up (default: ${DEFAULT-VALUE}).")
    long readyTimeoutMs;

    /**
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        LoggingDefaults.apply();
        final CommandLine commandLine = new CommandLine(new StandaloneZooKeeperMain());
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            cmd.getErr().println("chainkv-zookeeper: " + ex.getMessage());
            return 1;
        });
        System.exit(commandLine.execute(args));
    }

    public Integer call() throws Exception
    {
        // The barrier's shutdown hook holds the JVM until the server has closed its log cleanly.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            EmbeddedZooKeeper server = EmbeddedZooKeeper.start(
                host, port, dataDir.toAbsolutePath(), tickMs, Duration.ofMillis(readyTimeoutMs)))
        {
            System.out.println(READY_PREFIX + "connect=" + server.connectString() + " tickMs=" + server.tickMs() +
                " minSessionTimeoutMs=" + 2 * server.tickMs() + " dataDir=" + server.dataDir());
            System.out.flush();
            barrier.await();
        }
        return 0;
    }
}
