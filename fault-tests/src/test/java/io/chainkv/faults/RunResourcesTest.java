package io.chainkv.faults;

import io.chainkv.client.ChainKvClient;
import io.chainkv.client.ClientConfig;
import io.chainkv.client.StaticChainConfigSource;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.transport.EmbeddedAeron;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a fault run leaves behind: nothing. Resources close newest first, a failing close does not stop the
 * others, a second close does nothing, a client's driver directory goes with the client, and one left behind is
 * found by the sweep and reported. Driver directories go to a temporary parent here, not /dev/shm.
 */
@Timeout(60)
class RunResourcesTest
{
    @TempDir
    Path aeronParent;

    private String previousParent;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void useTemporaryAeronParent()
    {
        previousParent = System.getProperty(EmbeddedAeron.AERON_DIR_PARENT_PROP);
        System.setProperty(EmbeddedAeron.AERON_DIR_PARENT_PROP, aeronParent.toString());
    }

    @AfterEach
    void restoreAeronParent()
    {
        if (null == previousParent)
        {
            System.clearProperty(EmbeddedAeron.AERON_DIR_PARENT_PROP);
        }
        else
        {
            System.setProperty(EmbeddedAeron.AERON_DIR_PARENT_PROP, previousParent);
        }
    }

    @Test
    void closesNewestFirstGoesOnPastAFailureAndClosesOnlyOnce()
    {
        final RunResources resources = new RunResources(log);
        final List<String> closed = new ArrayList<>();
        resources.add(() -> closed.add("cluster"));
        resources.add(() ->
        {
            closed.add("failing client");
            throw new IllegalStateException("boom");
        });
        resources.add(() -> closed.add("client"));

        assertEquals(List.of(), clientLeftovers(resources.closeAll()));
        resources.closeAll();

        assertEquals(List.of("client", "failing client", "cluster"), closed);
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("failed: java.lang.IllegalStateException: boom"),
            logBytes::toString);
    }

    @Test
    void theShutdownHookClosesWhatTheRunStillHasOpen() throws Exception
    {
        final RunResources resources = new RunResources(log);
        final List<String> closed = new ArrayList<>();
        resources.add(() -> closed.add("cluster"));

        final Thread hook = resources.shutdownHook();
        hook.start();
        hook.join();

        assertEquals(List.of("cluster"), closed);
    }

    @Test
    void aClientsDriverDirectoryIsNamedForThisProcessAndGoesWithTheClient()
    {
        final RunResources resources = new RunResources(log);
        final ChainConfig chain = new ChainConfig("faults", 0, 1, List.of(new ChainMember("n1", "127.0.0.1:1")));
        final ChainKvClient client =
            resources.add(ChainKvClient.connect(new ClientConfig().configSource(new StaticChainConfigSource(chain))));
        final File[] dirs = aeronParent.toFile().listFiles();
        assertEquals(1, dirs.length);
        assertTrue(dirs[0].getName().startsWith("chainkv-client-" + ProcessHandle.current().pid() + "-"),
            dirs[0].getName());

        assertEquals(List.of(), clientLeftovers(resources.closeAll()));

        assertFalse(dirs[0].exists(), "closing the client deletes its driver directory");
        client.close();
    }

    @Test
    void aClientDirectoryLeftBehindIsRemovedAndReported() throws Exception
    {
        final RunResources resources = new RunResources(log);
        final Path leftover = Files.createDirectories(
            aeronParent.resolve(EmbeddedAeron.directoryPrefix("client") + "dead"));
        Files.writeString(leftover.resolve("cnc.dat"), "x");
        final Path otherProcess = Files.createDirectories(aeronParent.resolve("chainkv-client-1-beef"));

        final List<String> removed = clientLeftovers(resources.closeAll());

        assertEquals(List.of("client Aeron directory " + leftover), removed);
        assertFalse(Files.exists(leftover));
        assertTrue(Files.exists(otherProcess), "another process's directory is not this run's to remove");
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("cleanup: removed client Aeron directory"),
            logBytes::toString);
    }

    /**
     * The sweep also removes namespaces of this process, which there are none of here (and which need root).
     */
    private static List<String> clientLeftovers(final List<String> removed)
    {
        return removed.stream().filter((what) -> what.startsWith("client")).toList();
    }
}
