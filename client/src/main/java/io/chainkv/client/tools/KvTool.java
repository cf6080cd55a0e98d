package io.chainkv.client.tools;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.VersionMismatchException;
import io.chainkv.client.VersionedValue;
import io.chainkv.config.ChainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Command-line access to a chain, for operators and scripts. The chain is found in ZooKeeper
 * ({@code --zk host:port,... --cluster name}, following the configuration the master writes) or in a fixed
 * configuration file ({@code --config chain.properties}):
 * <pre>
 * kv --zk 127.0.0.1:2181 --cluster local put &lt;key&gt; &lt;value&gt;   -&gt; OK version=17
 * kv --config chain.properties put &lt;key&gt; &lt;value&gt;           -&gt; OK version=17
 * kv --config chain.properties get [--with-version] &lt;key&gt;    -&gt; the value, or NOT_FOUND
 * kv --config chain.properties delete &lt;key&gt;                -&gt; OK, or NOT_FOUND
 * kv --config chain.properties cas &lt;key&gt; &lt;expected&gt; &lt;value&gt; -&gt; OK version=18, or VERSION_MISMATCH version=17
 * </pre>
 * Keys and values are UTF-8 text. Exit status: {@value #EXIT_OK} success, {@value #EXIT_NOT_FOUND} not found,
 * {@value #EXIT_VERSION_MISMATCH} version mismatch, {@value #EXIT_ERROR} any error, with one line on stderr.
 */
@Command(
    name = "kv",
    mixinStandardHelpOptions = true,
    description = "Reads and writes keys of a ChainKV chain.",
    subcommands = { KvTool.Put.class, KvTool.Get.class, KvTool.Delete.class, KvTool.Cas.class })
public final class KvTool
{
    public static final int EXIT_OK = 0;
    public static final int EXIT_NOT_FOUND = 1;
    public static final int EXIT_ERROR = 2;
    public static final int EXIT_VERSION_MISMATCH = 3;

    /** Cluster name when --zk is given without --cluster; the same default as the master's and the node's. */
    public static final String DEFAULT_CLUSTER = "chainkv";

    @Option(names = "--config", paramLabel = "<chain.properties>",
        description = "Fixed chain configuration file (cluster.name, chain.id, epoch, members). Give this or --zk.")
    private Path configFile;

    @Option(names = "--zk", paramLabel = "<host:port,...>",
        description = "ZooKeeper connect string: follow the cluster's configuration there. Give this or --config.")
    private String zooKeeper;

    @Option(names = "--cluster", paramLabel = "<name>",
        description = "Cluster name in ZooKeeper, with --zk (default: " + DEFAULT_CLUSTER + ").")
    private String cluster;

    @Option(names = "--timeout-ms", paramLabel = "<ms>", defaultValue = "5000",
        description = "Give up after this many milliseconds, retries included (default: ${DEFAULT-VALUE}).")
    private long timeoutMs;

    private PrintStream out;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs one command.
     *
     * @param args command line.
     * @param out  where results go.
     * @param err  where the one-line error message goes.
     * @return the exit status.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final KvTool tool = new KvTool();
        tool.out = out;
        final CommandLine commandLine = new CommandLine(tool)
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .setParameterExceptionHandler((ex, args1) ->
            {
                err.println("error: " + oneLine(ex.getMessage()) + " (see kv --help)");
                return EXIT_ERROR;
            })
            .setExecutionExceptionHandler((ex, cmd, parseResult) ->
            {
                err.println("error: " + describe(ex));
                return EXIT_ERROR;
            });
        return commandLine.execute(args);
    }

    private ChainKvClient connect() throws IOException
    {
        if (timeoutMs < 1)
        {
            throw new IllegalArgumentException("--timeout-ms must be positive, was " + timeoutMs);
        }
        if ((null == configFile) == (null == zooKeeper))
        {
            throw new IllegalArgumentException("give either --zk <host:port,...> [--cluster <name>] or " +
                "--config <chain.properties>");
        }
        if (null != cluster && null == zooKeeper)
        {
            throw new IllegalArgumentException("--cluster goes with --zk (a --config file names its cluster itself)");
        }
        final ClientConfig config = withTimeout(new ClientConfig(), Duration.ofMillis(timeoutMs));
        if (null != zooKeeper)
        {
            // The client waits up to the timeout for the configuration, and closes its ZooKeeper connection.
            config.zooKeeper(zooKeeper, null != cluster ? cluster : DEFAULT_CLUSTER);
        }
        else
        {
            config.chainConfig(ChainConfig.load(configFile));
        }
        return ChainKvClient.connect(config);
    }

    /**
     * Gives a one-shot tool's client an overall deadline: each attempt waits at most the client's default
     * attempt timeout, or the whole deadline if that is shorter. chainctl's get/put/delete use the same.
     *
     * @param config  a client configuration.
     * @param timeout the deadline of each call, retries included.
     * @return the configuration.
     */
    public static ClientConfig withTimeout(final ClientConfig config, final Duration timeout)
    {
        final Duration attempt = timeout.compareTo(ClientConfig.DEFAULT_ATTEMPT_TIMEOUT) < 0 ?
            timeout : ClientConfig.DEFAULT_ATTEMPT_TIMEOUT;
        return config.attemptTimeout(attempt).requestTimeout(timeout);
    }

    private static String describe(final Exception ex)
    {
        if (ex instanceof IOException)
        {
            return "cannot read " + oneLine(ex.getMessage()) + " (" + ex.getClass().getSimpleName() + ")";
        }
        return oneLine(null != ex.getMessage() ? ex.getMessage() : ex.toString());
    }

    private static String oneLine(final String text)
    {
        return null == text ? "" : text.replaceAll("[\\r\\n]+", " ");
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Command(name = "put", description = "Writes a key; prints the version of the write.")
    static final class Put implements Callable<Integer>
    {
        @ParentCommand
        private KvTool tool;

        @Parameters(index = "0", paramLabel = "<key>")
        private String key;

        @Parameters(index = "1", paramLabel = "<value>")
        private String value;

        public Integer call() throws IOException
        {
            try (ChainKvClient client = tool.connect())
            {
                tool.out.println("OK version=" + client.put(utf8(key), utf8(value)));
                return EXIT_OK;
            }
        }
    }

    @Command(name = "get", description = "Prints a key's value, or NOT_FOUND.")
    static final class Get implements Callable<Integer>
    {
        @ParentCommand
        private KvTool tool;

        @Option(names = "--with-version", description = "Print version=<n> on a line before the value.")
        private boolean withVersion;

        @Option(names = "--read-mode", paramLabel = "<mode>", defaultValue = "LINEARIZABLE",
            description = "LINEARIZABLE (any member; default), TAIL, READ_YOUR_WRITES, MONOTONIC or EVENTUAL.")
        private io.chainkv.client.ReadMode readMode;

        @Parameters(index = "0", paramLabel = "<key>")
        private String key;

        public Integer call() throws IOException
        {
            try (ChainKvClient client = tool.connect())
            {
                final VersionedValue value = client.get(utf8(key), readMode);
                if (null == value)
                {
                    tool.out.println("NOT_FOUND");
                    return EXIT_NOT_FOUND;
                }
                if (withVersion)
                {
                    tool.out.println("version=" + value.version());
                }
                tool.out.println(new String(value.value(), StandardCharsets.UTF_8));
                return EXIT_OK;
            }
        }
    }

    @Command(name = "delete", description = "Deletes a key; prints OK, or NOT_FOUND if it was absent.")
    static final class Delete implements Callable<Integer>
    {
        @ParentCommand
        private KvTool tool;

        @Parameters(index = "0", paramLabel = "<key>")
        private String key;

        public Integer call() throws IOException
        {
            try (ChainKvClient client = tool.connect())
            {
                if (client.delete(utf8(key)))
                {
                    tool.out.println("OK");
                    return EXIT_OK;
                }
                tool.out.println("NOT_FOUND");
                return EXIT_NOT_FOUND;
            }
        }
    }

    @Command(name = "cas", description = "Writes a key only if it has the expected version (0 = absent).")
    static final class Cas implements Callable<Integer>
    {
        @ParentCommand
        private KvTool tool;

        @Parameters(index = "0", paramLabel = "<key>")
        private String key;

        @Parameters(index = "1", paramLabel = "<expectedVersion>")
        private long expectedVersion;

        @Parameters(index = "2", paramLabel = "<value>")
        private String value;

        public Integer call() throws IOException
        {
            try (ChainKvClient client = tool.connect())
            {
                tool.out.println("OK version=" + client.compareAndSet(utf8(key), expectedVersion, utf8(value)));
                return EXIT_OK;
            }
            catch (final VersionMismatchException ex)
            {
                tool.out.println("VERSION_MISMATCH version=" + ex.actualVersion());
                return EXIT_VERSION_MISMATCH;
            }
        }
    }
}
