package io.chainkv.node.harness;

import io.chainkv.config.ChainConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness against {@link StandInNode}, a stand-in that behaves like the node on its command line.
 */
class LocalChainTest
{
    private static LocalChain.Builder standIn()
    {
        return LocalChain.builder().mainClass(StandInNode.class.getName()).startTimeout(Duration.ofSeconds(30));
    }

    @Test
    void writesAChainConfigurationWithTheNodesHeadFirst() throws Exception
    {
        try (LocalChain chain = standIn().nodes(3).start())
        {
            final ChainConfig loaded = ChainConfig.load(chain.configFile());

            assertEquals(chain.config().toProperties(), loaded.toProperties());
            assertEquals(List.of("n1", "n2", "n3"), chain.nodes().stream().map(NodeProcess::id).toList());
            assertEquals("n1", chain.head().id());
            assertEquals("n3", chain.tail().id());
        }
    }

    @Test
    void startReturnsOnceEveryNodeIsReady()
    {
        try (LocalChain chain = standIn().nodes(3).start())
        {
            for (final NodeProcess node : chain.nodes())
            {
                assertTrue(node.isAlive(), node.id());
                assertTrue(node.readyLine().startsWith("chainkv-node ready node=" + node.id() + " role=" + node.role()),
                    node.readyLine());
            }
            assertEquals(List.of("HEAD", "MIDDLE", "TAIL"), chain.nodes().stream().map(NodeProcess::role).toList());
        }
    }

    @Test
    void aSingleNodeIsHeadAndTail()
    {
        try (LocalChain chain = standIn().nodes(1).start())
        {
            assertEquals("HEAD_TAIL", chain.head().role());
        }
    }

    @Test
    void nodesGetLimitsNodeArgumentsAndSystemProperties() throws Exception
    {
        try (LocalChain chain = standIn().nodes(1).maxEntries(1000).maxValueBytes(4096).start())
        {
            final String args = Files.readString(chain.head().dataDir().resolve(StandInNode.STARTS_FILE));

            assertTrue(args.contains("--node-id n1"), args);
            assertTrue(args.contains("--config " + chain.configFile()), args);
            assertTrue(args.contains("--aeron-dir " + chain.aeronParent().resolve("n1")), args);
            assertTrue(args.contains("--max-entries 1000 --max-value-bytes 4096"), args);
        }
    }

    @Test
    void closeKillsEveryNodeAndDeletesDataAndAeronDirectoriesButKeepsLogs() throws Exception
    {
        final LocalChain chain = standIn().nodes(3).start();
        final List<ProcessHandle> handles = chain.nodes().stream()
            .map(node -> ProcessHandle.of(node.pid()).orElseThrow()).toList();
        assertTrue(Files.isDirectory(chain.aeronParent().resolve("n2")));

        chain.close();

        for (final ProcessHandle handle : handles)
        {
            assertFalse(handle.isAlive(), "pid " + handle.pid());
        }
        assertFalse(Files.exists(chain.dir().resolve("data")));
        assertFalse(Files.exists(chain.aeronParent()));
        assertTrue(Files.readString(chain.node("n2").logFile()).contains("chainkv-node ready node=n2"));
        assertTrue(Files.exists(chain.configFile()));
    }

    @Test
    void closeTwiceIsHarmless()
    {
        final LocalChain chain = standIn().nodes(1).start();

        chain.close();
        chain.close();
    }

    @Test
    void aNodeThatExitsFailsTheStartWithTheEndOfItsLog()
    {
        final LocalChain.Builder builder = standIn().nodes(2).systemProperty("standin.fail", "disk on fire");

        final IllegalStateException ex = assertThrows(IllegalStateException.class, builder::start);

        assertTrue(ex.getMessage().contains("exited with code 2 before it was ready"), ex.getMessage());
        assertTrue(ex.getMessage().contains("disk on fire"), ex.getMessage());
    }

    @Test
    void aFailedStartCleansUpAfterItself() throws Exception
    {
        final Path dir = Path.of("target", "chain-tests", "failed-start-cleanup").toAbsolutePath();
        final LocalChain.Builder builder = standIn().nodes(2).name("failed-start-cleanup")
            .systemProperty("standin.fail", "no");

        assertThrows(IllegalStateException.class, builder::start);

        assertFalse(Files.exists(dir.resolve("data")));
        try (var shm = Files.list(Path.of("/dev/shm")))
        {
            assertFalse(shm.anyMatch(p -> p.getFileName().toString().startsWith(
                "chainkv-test-" + ProcessHandle.current().pid() + "-")), "Aeron parent left in /dev/shm");
        }
    }

    @Test
    void aNodeThatNeverSaysReadyFailsTheStartAtTheTimeout()
    {
        final LocalChain.Builder builder = standIn().nodes(1).startTimeout(Duration.ofSeconds(3))
            .systemProperty("standin.neverReady", "true");

        final IllegalStateException ex = assertThrows(IllegalStateException.class, builder::start);

        assertTrue(ex.getMessage().contains("was not ready within 3 s"), ex.getMessage());
    }

    @Test
    void kill9EndsTheNodeKeepsItsDataAndRemovesItsAeronDirectory() throws Exception
    {
        try (LocalChain chain = standIn().nodes(2).start())
        {
            final NodeProcess n2 = chain.node("n2");
            final long pid = n2.pid();

            n2.kill9();

            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertFalse(Files.exists(n2.aeronDir()));
            assertTrue(Files.exists(n2.dataDir().resolve(StandInNode.STARTS_FILE)));
            assertFalse(Files.exists(n2.dataDir().resolve(StandInNode.CLEAN_SHUTDOWN_FILE)));
            assertTrue(chain.node("n1").isAlive());
        }
    }

    @Test
    void restartStartsTheNodeAgainOnItsDataDirectory() throws Exception
    {
        try (LocalChain chain = standIn().nodes(2).start())
        {
            final NodeProcess n1 = chain.node("n1");
            final long firstPid = n1.pid();
            n1.kill9();

            n1.restart();

            assertTrue(n1.isAlive());
            assertNotEquals(firstPid, n1.pid());
            assertEquals(2, Files.readAllLines(n1.dataDir().resolve(StandInNode.STARTS_FILE)).size());
            assertTrue(n1.readyLine().startsWith("chainkv-node ready node=n1"));
        }
    }

    @Test
    void restartRefusesANodeThatStillRuns()
    {
        try (LocalChain chain = standIn().nodes(1).start())
        {
            assertThrows(IllegalStateException.class, () -> chain.head().restart());
        }
    }

    @Test
    void stopShutsTheNodeDownWithSigterm() throws Exception
    {
        try (LocalChain chain = standIn().nodes(1).start())
        {
            final NodeProcess node = chain.head();

            final int exitCode = node.stop();

            assertEquals(143, exitCode);
            assertTrue(Files.exists(node.dataDir().resolve(StandInNode.CLEAN_SHUTDOWN_FILE)));
            assertFalse(Files.exists(node.aeronDir()));
        }
    }

    @Test
    void sigstopPausesTheNodeAndSigcontResumesIt() throws Exception
    {
        try (LocalChain chain = standIn().nodes(1).start())
        {
            final NodeProcess node = chain.head();

            node.sigstop();
            assertTrue(await(node::isPaused));

            node.sigcont();
            assertTrue(await(() -> !node.isPaused()));
        }
    }

    @Test
    void stopAlsoEndsAPausedNode() throws Exception
    {
        try (LocalChain chain = standIn().nodes(1).start())
        {
            final NodeProcess node = chain.head();
            node.sigstop();
            assertTrue(await(node::isPaused));

            node.stop();

            assertFalse(node.isAlive());
        }
    }

    @Test
    void closeKillsAPausedNode() throws Exception
    {
        final LocalChain chain = standIn().nodes(1).start();
        final ProcessHandle handle = ProcessHandle.of(chain.head().pid()).orElseThrow();
        chain.head().sigstop();

        chain.close();

        assertTrue(handle.onExit().get(10, TimeUnit.SECONDS) != null);
        assertFalse(handle.isAlive());
    }

    @Test
    void theDirectoryIsNamedForTheCallingTest()
    {
        try (LocalChain chain = standIn().nodes(1).start())
        {
            assertEquals("LocalChainTest-theDirectoryIsNamedForTheCallingTest", chain.name());
            assertEquals(Path.of("target", "chain-tests", chain.name()).toAbsolutePath(), chain.dir());
        }
    }

    @Test
    void theDirectoryIsNamedForTheTestEvenWhenAHelperStartsTheChain()
    {
        try (LocalChain chain = startOneNode())
        {
            assertEquals("LocalChainTest-theDirectoryIsNamedForTheTestEvenWhenAHelperStartsTheChain", chain.name());
        }
    }

    private static LocalChain startOneNode()
    {
        return standIn().nodes(1).start();
    }

    @Test
    void twoChainsOpenWithTheSameNameGetTheirOwnDirectories()
    {
        try (LocalChain first = standIn().nodes(1).name("same").start();
            LocalChain second = standIn().nodes(1).name("same").start())
        {
            assertNotEquals(first.dir(), second.dir());
            assertNotEquals(first.head().endpoint(), second.head().endpoint());
        }
    }

    private static boolean await(final java.util.function.BooleanSupplier condition) throws InterruptedException
    {
        for (int i = 0; i < 200; i++)
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            Thread.sleep(25);
        }
        return false;
    }
}
