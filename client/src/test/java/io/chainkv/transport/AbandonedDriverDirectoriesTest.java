package io.chainkv.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AbandonedDriverDirectoriesTest
{
    @Test
    void aDirectoryOfADeadProcessWithASilentDriverIsRemovedAndNothingElse(@TempDir final Path parent) throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final File abandoned = directory(parent, "chainkv-node-n1-" + gone.pid() + "-1a2b3c4d");
        Files.writeString(abandoned.toPath().resolve("cnc.dat"), "not a live driver");
        final File ours = directory(parent, "chainkv-client-" + ProcessHandle.current().pid() + "-0f");
        final File livePid = directory(parent, "chainkv-client-1-ab");
        final File notChainKv = directory(parent, "aeron-root");

        assertEquals(1, AbandonedDriverDirectories.remove(parent.toFile(), 10_000));

        assertFalse(abandoned.exists());
        assertTrue(ours.exists());
        assertTrue(livePid.exists());
        assertTrue(notChainKv.exists());
    }

    @Test
    void aLiveDriverIsNeverRemovedEvenWhenItsPidIsNotOneThisProcessCanSee(@TempDir final Path parent) throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final File directory = new File(parent.toFile(), "chainkv-node-n2-" + gone.pid() + "-99");
        try (EmbeddedAeron driver = EmbeddedAeron.launch(directory, TransportSettings.fromSystemProperties()))
        {
            assertEquals(0, AbandonedDriverDirectories.remove(parent.toFile(), 10_000));
            assertTrue(directory.exists());
        }
    }

    private static File directory(final Path parent, final String name) throws Exception
    {
        return Files.createDirectory(parent.resolve(name)).toFile();
    }
}
