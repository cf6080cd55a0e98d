package io.chainkv.node.harness;

import io.chainkv.config.ChainConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A stand-in for the node, used only to test the harness: it takes the node's command line, creates
 * its Aeron directory and a file in its data directory as a node would, prints the ready line and waits
 * for a signal. On SIGTERM it deletes its Aeron directory and writes a clean-shutdown marker.
 * <p>
 * System properties change its behaviour: {@code standin.fail=<reason>} makes it print the reason and
 * exit with 2 before it is ready; {@code standin.neverReady=true} makes it never print the ready line.
 */
public final class StandInNode
{
    /** File in the data directory that gets one line per start. */
    public static final String STARTS_FILE = "starts";

    /** File in the data directory written on a clean (SIGTERM) shutdown. */
    public static final String CLEAN_SHUTDOWN_FILE = "clean-shutdown";

    private StandInNode()
    {
    }

    /**
     * @param args the node's arguments: --config, --node-id, --data-dir, --aeron-dir and more.
     * @throws Exception on any failure, which ends the process.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            options.put(args[i], args[i + 1]);
        }
        final String nodeId = options.get("--node-id");
        final ChainConfig config = ChainConfig.load(Path.of(options.get("--config")));
        final int index = config.indexOf(nodeId);
        final String fail = System.getProperty("standin.fail");
        if (null != fail || index < 0)
        {
            System.out.println("stand-in node " + nodeId + " failing: " + (null != fail ? fail : "not a member"));
            System.exit(2);
        }

        final Path aeronDir = Path.of(options.get("--aeron-dir"));
        final Path dataDir = Path.of(options.get("--data-dir"));
        Files.createDirectories(aeronDir);
        Files.writeString(aeronDir.resolve("cnc.dat"), "stand-in");
        Files.createDirectories(dataDir);
        Files.deleteIfExists(dataDir.resolve(CLEAN_SHUTDOWN_FILE));
        Files.writeString(dataDir.resolve(STARTS_FILE), String.join(" ", args) + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                LocalChain.deleteRecursively(aeronDir);
                Files.writeString(dataDir.resolve(CLEAN_SHUTDOWN_FILE), "ok");
            }
            catch (final Exception ignore)
            {
                // Exiting anyway.
            }
        }));

        if (!Boolean.getBoolean("standin.neverReady"))
        {
            System.out.println(NodeProcess.READY_PREFIX + nodeId + " role=" +
                LocalChain.roleOf(index, config.members().size()) + " epoch=" + config.epoch() +
                " endpoint=" + config.members().get(index).endpoint());
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
