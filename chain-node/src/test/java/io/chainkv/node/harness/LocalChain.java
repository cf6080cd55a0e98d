package io.chainkv.node.harness;

import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A chain of real node processes on this machine, for tests.
 * <pre>
 * try (LocalChain chain = LocalChain.builder().nodes(3).maxEntries(10_000).start())
 * {
 *     ChainConfig config = chain.config();   // give it to a client
 *     chain.node("n2").kill9();
 *     chain.node("n2").restart();
 * }
 * </pre>
 * {@link Builder#start()} picks free UDP ports, writes chain.properties, launches every node as
 * {@code java @scripts/jvm.options -cp <test classpath> io.chainkv.node.NodeMain ...} and waits for each
 * ready line. Logs and the configuration go to {@code target/chain-tests/<name>/} and are kept after
 * the test; {@link #close()} kills every process the chain started (by PID, nothing else) and deletes
 * the data and Aeron directories, also when the test failed. A JVM shutdown hook does the same for a
 * chain that was never closed.
 */
public final class LocalChain implements AutoCloseable
{
    /** The node's main class. */
    public static final String NODE_MAIN = "io.chainkv.node.NodeMain";

    /** Set to true to keep data directories after close, for a post-mortem. */
    public static final String KEEP_DATA_PROP = "chainkv.test.keepData";

    private static final Set<LocalChain> OPEN = ConcurrentHashMap.newKeySet();
    private static final Set<String> NAMES_IN_USE = ConcurrentHashMap.newKeySet();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(
            () ->
            {
                for (final LocalChain chain : OPEN)
                {
                    chain.close();
                }
            },
            "local-chain-cleanup"));
    }

    private final String name;
    private final Path dir;
    private final Path configFile;
    private final Path aeronParent;
    private final ChainConfig config;
    private final Map<String, NodeProcess> nodes;
    private boolean closed;

    private LocalChain(
        final String name,
        final Path dir,
        final Path configFile,
        final Path aeronParent,
        final ChainConfig config,
        final Map<String, NodeProcess> nodes)
    {
        this.name = name;
        this.dir = dir;
        this.configFile = configFile;
        this.aeronParent = aeronParent;
        this.config = config;
        this.nodes = nodes;
    }

    /**
     * @return a builder with 3 nodes and the node's default limits.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return the name of this chain's directory under target/chain-tests.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return target/chain-tests/&lt;name&gt;: chain.properties, logs/, data/.
     */
    public Path dir()
    {
        return dir;
    }

    public ChainConfig config()
    {
        return config;
    }

    /**
     * @return the chain.properties file the nodes were started with (also what KvTool takes).
     */
    public Path configFile()
    {
        return configFile;
    }

    /**
     * @return the directory that holds every node's Aeron directory; deleted on close.
     */
    public Path aeronParent()
    {
        return aeronParent;
    }

    /**
     * @param nodeId e.g. "n1".
     * @return the node.
     */
    public NodeProcess node(final String nodeId)
    {
        final NodeProcess node = nodes.get(nodeId);
        if (null == node)
        {
            throw new IllegalArgumentException("no node " + nodeId + " in " + nodes.keySet());
        }
        return node;
    }

    /**
     * @return nodes from head to tail.
     */
    public List<NodeProcess> nodes()
    {
        return Collections.unmodifiableList(new ArrayList<>(nodes.values()));
    }

    public NodeProcess head()
    {
        return node(config.head().nodeId());
    }

    public NodeProcess tail()
    {
        return node(config.tail().nodeId());
    }

    /**
     * Kills every process this chain started (SIGKILL, by PID), then deletes the data directories and
     * the Aeron directories. Logs and chain.properties stay. Safe to call more than once.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (final NodeProcess node : nodes.values())
        {
            try
            {
                node.destroyAll();
            }
            catch (final RuntimeException ex)
            {
                failure = addTo(failure, ex);
            }
        }
        try
        {
            if (!Boolean.getBoolean(KEEP_DATA_PROP))
            {
                deleteRecursively(dir.resolve("data"));
            }
        }
        catch (final RuntimeException ex)
        {
            failure = addTo(failure, ex);
        }
        try
        {
            deleteRecursively(aeronParent);
        }
        catch (final RuntimeException ex)
        {
            failure = addTo(failure, ex);
        }
        OPEN.remove(this);
        NAMES_IN_USE.remove(name);
        if (null != failure)
        {
            throw failure;
        }
    }

    public String toString()
    {
        return "LocalChain{" + name + ", " + config + "}";
    }

    /**
     * Deletes a file or a directory tree; nothing if it does not exist.
     *
     * @param path to delete.
     */
    public static void deleteRecursively(final Path path)
    {
        if (null == path || !Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        try
        {
            Files.walkFileTree(path, new SimpleFileVisitor<>()
            {
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                public FileVisitResult visitFileFailed(final Path file, final IOException ex) throws IOException
                {
                    if (ex instanceof NoSuchFileException)
                    {
                        return FileVisitResult.CONTINUE;
                    }
                    throw ex;
                }

                public FileVisitResult postVisitDirectory(final Path d, final IOException ex) throws IOException
                {
                    if (null != ex && !(ex instanceof NoSuchFileException))
                    {
                        throw ex;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + path, ex);
        }
    }

    /**
     * Names a test's directory after the test running it.
     *
     * @param harnessClasses classes whose frames to skip (the harness itself).
     * @return "TestClass-testMethod" of the nearest caller that is a JUnit test method, else of the first
     * caller outside the harness classes.
     */
    public static String callerTestName(final Class<?>... harnessClasses)
    {
        final Set<Class<?>> skip = Set.of(harnessClasses);
        final List<StackWalker.StackFrame> callers = StackWalker
            .getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
            .walk(frames -> frames
                .filter(frame -> frame.getDeclaringClass() != LocalChain.class &&
                    !skip.contains(frame.getDeclaringClass()))
                .toList());
        return callers.stream()
            .filter(Builder::isTestMethodFrame)
            .findFirst()
            .or(() -> callers.stream().findFirst())
            .map(frame -> frame.getDeclaringClass().getSimpleName() + "-" + frame.getMethodName())
            .orElse("chain");
    }

    static String roleOf(final int index, final int size)
    {
        if (1 == size)
        {
            return "HEAD_TAIL";
        }
        return 0 == index ? "HEAD" : size - 1 == index ? "TAIL" : "MIDDLE";
    }

    private static RuntimeException addTo(final RuntimeException failure, final RuntimeException ex)
    {
        if (null == failure)
        {
            return ex;
        }
        failure.addSuppressed(ex);
        return failure;
    }

    /**
     * What chain to start. Every setting has a default; {@link #start()} does the work.
     */
    public static final class Builder
    {
        private int nodeCount = 3;
        private String name;
        private String clusterName = "test";
        private int chainId = 0;
        private long epoch = 1;
        private Path baseDir = Path.of("target", "chain-tests");
        private String mainClass = NODE_MAIN;
        private Duration startTimeout = Duration.ofSeconds(60);
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final List<String> nodeArgs = new ArrayList<>();

        private Builder()
        {
        }

        /**
         * @param count number of nodes, named n1 (head) to nN (tail).
         * @return this.
         */
        public Builder nodes(final int count)
        {
            if (count < 1)
            {
                throw new IllegalArgumentException("a chain needs at least one node, was " + count);
            }
            this.nodeCount = count;
            return this;
        }

        /**
         * @param name directory under target/chain-tests; default: the calling test class and method.
         * @return this.
         */
        public Builder name(final String name)
        {
            this.name = name;
            return this;
        }

        public Builder clusterName(final String clusterName)
        {
            this.clusterName = clusterName;
            return this;
        }

        public Builder chainId(final int chainId)
        {
            this.chainId = chainId;
            return this;
        }

        public Builder epoch(final long epoch)
        {
            this.epoch = epoch;
            return this;
        }

        /**
         * @param baseDir where chain directories go; default target/chain-tests of the module.
         * @return this.
         */
        public Builder baseDir(final Path baseDir)
        {
            this.baseDir = baseDir;
            return this;
        }

        /** @return this, with {@code --max-entries} passed to every node. */
        public Builder maxEntries(final long maxEntries)
        {
            return nodeArgs("--max-entries", Long.toString(maxEntries));
        }

        /** @return this, with {@code --max-data-bytes} passed to every node. */
        public Builder maxDataBytes(final long maxDataBytes)
        {
            return nodeArgs("--max-data-bytes", Long.toString(maxDataBytes));
        }

        /** @return this, with {@code --max-key-bytes} passed to every node. */
        public Builder maxKeyBytes(final int maxKeyBytes)
        {
            return nodeArgs("--max-key-bytes", Integer.toString(maxKeyBytes));
        }

        /** @return this, with {@code --max-value-bytes} passed to every node. */
        public Builder maxValueBytes(final int maxValueBytes)
        {
            return nodeArgs("--max-value-bytes", Integer.toString(maxValueBytes));
        }

        /**
         * @param args more arguments for every node's main, after the ones the harness passes.
         * @return this.
         */
        public Builder nodeArgs(final String... args)
        {
            Collections.addAll(nodeArgs, args);
            return this;
        }

        /**
         * @param arg a JVM option for every node, after those of scripts/jvm.options, e.g. "-Xmx256m".
         * @return this.
         */
        public Builder jvmArg(final String arg)
        {
            jvmArgs.add(arg);
            return this;
        }

        /**
         * @param key   a system property for every node, e.g. "chainkv.idle.strategy".
         * @param value its value.
         * @return this.
         */
        public Builder systemProperty(final String key, final String value)
        {
            systemProperties.put(key, value);
            return this;
        }

        /**
         * @param timeout how long start() and restart() wait for a node's ready line; default 60 s.
         * @return this.
         */
        public Builder startTimeout(final Duration timeout)
        {
            this.startTimeout = timeout;
            return this;
        }

        /**
         * @param mainClass the class to run instead of {@link #NODE_MAIN}; tests of the harness use a
         *                  stand-in. It gets the node's command line and must print the ready line.
         * @return this.
         */
        public Builder mainClass(final String mainClass)
        {
            this.mainClass = mainClass;
            return this;
        }

        /**
         * Starts the chain and waits until every node is ready.
         *
         * @return the running chain; close it.
         * @throws IllegalStateException if a node exits or is not ready in time; the message holds the
         *                               end of its log, and everything started is cleaned up.
         */
        public LocalChain start()
        {
            final String chainName = uniqueName(null != name ? name : callerName());
            final Path dir = baseDir.resolve(chainName).toAbsolutePath();
            deleteRecursively(dir);
            final Path aeronParent;
            final ChainConfig config;
            final Path configFile = dir.resolve("chain.properties");
            try
            {
                Files.createDirectories(dir.resolve("logs"));
                final Path shm = Path.of("/dev/shm");
                final Path parentOfParent = Files.isDirectory(shm) && Files.isWritable(shm) ? shm :
                    Path.of(System.getProperty("java.io.tmpdir"));
                aeronParent = Files.createTempDirectory(
                    parentOfParent, "chainkv-test-" + ProcessHandle.current().pid() + "-");

                final List<Integer> ports = FreePorts.udp(nodeCount);
                final List<ChainMember> members = new ArrayList<>();
                for (int i = 0; i < nodeCount; i++)
                {
                    members.add(new ChainMember("n" + (i + 1), "127.0.0.1:" + ports.get(i)));
                }
                config = new ChainConfig(clusterName, chainId, epoch, members);
                try (Writer writer = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8))
                {
                    writer.write("# written by LocalChain for " + chainName + "\n");
                    writer.write("cluster.name=" + config.clusterName() + "\n");
                    writer.write("chain.id=" + config.chainId() + "\n");
                    writer.write("epoch=" + config.epoch() + "\n");
                    writer.write("members=" + config.toProperties().getProperty("members") + "\n");
                }
            }
            catch (final IOException ex)
            {
                NAMES_IN_USE.remove(chainName);
                throw new UncheckedIOException("cannot prepare " + dir, ex);
            }

            final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
            final List<ChainMember> members = config.members();
            for (int i = 0; i < members.size(); i++)
            {
                final ChainMember member = members.get(i);
                final Path dataDir = dir.resolve("data").resolve(member.nodeId());
                final Path aeronDir = aeronParent.resolve(member.nodeId());
                final List<String> command = command(configFile, member.nodeId(), dataDir, aeronDir, aeronParent);
                nodes.put(member.nodeId(), new NodeProcess(
                    member,
                    roleOf(i, members.size()),
                    () -> command,
                    dir.resolve("logs").resolve(member.nodeId() + ".log"),
                    dataDir,
                    aeronDir,
                    startTimeout));
            }

            final LocalChain chain = new LocalChain(chainName, dir, configFile, aeronParent, config, nodes);
            OPEN.add(chain);
            try
            {
                // Launch all first: the nodes' start-up (JVM, Chronicle Map code generation) overlaps.
                for (final NodeProcess node : nodes.values())
                {
                    node.launch();
                }
                final Instant deadline = Instant.now().plus(startTimeout);
                for (final NodeProcess node : nodes.values())
                {
                    node.awaitReady(deadline);
                }
            }
            catch (final RuntimeException ex)
            {
                try
                {
                    chain.close();
                }
                catch (final RuntimeException closeFailure)
                {
                    ex.addSuppressed(closeFailure);
                }
                throw ex;
            }
            return chain;
        }

        private List<String> command(
            final Path configFile, final String nodeId, final Path dataDir, final Path aeronDir, final Path aeronParent)
        {
            final List<String> command = new ArrayList<>();
            command.add(JvmCommand.javaExecutable());
            command.addAll(JvmCommand.childJvmOptions());
            command.addAll(jvmArgs);
            command.add("-Dchainkv.aeron.dir.parent=" + aeronParent);
            for (final Map.Entry<String, String> property : systemProperties.entrySet())
            {
                command.add("-D" + property.getKey() + "=" + property.getValue());
            }
            command.add("-cp");
            command.add(JvmCommand.classpath());
            command.add(mainClass);
            Collections.addAll(command,
                "--config", configFile.toString(),
                "--node-id", nodeId,
                "--data-dir", dataDir.toString(),
                "--aeron-dir", aeronDir.toString());
            command.addAll(nodeArgs);
            return command;
        }

        private static String uniqueName(final String base)
        {
            final String clean = base.replaceAll("[^A-Za-z0-9._-]", "_");
            String candidate = clean;
            for (int i = 2; !NAMES_IN_USE.add(candidate); i++)
            {
                candidate = clean + "-" + i;
            }
            return candidate;
        }

        private static String callerName()
        {
            return callerTestName(LocalChain.class, Builder.class);
        }

        private static boolean isTestMethodFrame(final StackWalker.StackFrame frame)
        {
            for (final java.lang.reflect.Method method : frame.getDeclaringClass().getDeclaredMethods())
            {
                if (method.getName().equals(frame.getMethodName()))
                {
                    for (final java.lang.annotation.Annotation annotation : method.getAnnotations())
                    {
                        final String type = annotation.annotationType().getName();
                        if (type.startsWith("org.junit.jupiter.") && (type.endsWith("Test") || type.endsWith("TestTemplate")))
                        {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }
}
