package io.chainkv.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyFileTest
{
    private static final String MEMBER_1 = "member 1 " + "11".repeat(32) + "\n";
    private static final String CLIENT_7 = "client 7 " + "77".repeat(32) + "\n";
    private static final String CLIENT_8 = "client 8 " + "88".repeat(32) + "\n";

    @Test
    void aChangedFileIsTakenAsANewGeneration(@TempDir final Path dir) throws Exception
    {
        final Path path = dir.resolve("keys");
        Files.writeString(path, MEMBER_1 + CLIENT_7);
        final KeyFile file = KeyFile.load(path);
        assertNull(file.reloadIfChanged());
        assertEquals(0, file.generation());

        rewrite(path, MEMBER_1 + CLIENT_7 + CLIENT_8);
        assertNull(file.reloadIfChanged());
        assertEquals(1, file.generation());
        assertEquals("member keys [1], client keys [7, 8]", file.ring().describe());
    }

    @Test
    void aFileThatDoesNotParseIsNotTakenAndTheKeysReadBeforeStay(@TempDir final Path dir) throws Exception
    {
        final Path path = dir.resolve("keys");
        Files.writeString(path, MEMBER_1 + CLIENT_7);
        final KeyFile file = KeyFile.load(path);

        rewrite(path, MEMBER_1 + "client 8 88");
        final String refusal = file.reloadIfChanged();
        assertNotNull(refusal);
        assertTrue(refusal.contains("line 2"), refusal);
        assertEquals(0, file.generation());
        assertEquals("member keys [1], client keys [7]", file.ring().describe());
    }

    @Test
    void aFileThatLostTheMemberKeyIsNotTaken(@TempDir final Path dir) throws Exception
    {
        final Path path = dir.resolve("keys");
        Files.writeString(path, MEMBER_1 + CLIENT_7);
        final KeyFile file = KeyFile.load(path);

        rewrite(path, CLIENT_7);
        assertTrue(file.reloadIfChanged().contains("no longer holds a member key"));
        assertTrue(file.ring().has(KeyRole.MEMBER));
    }

    private static void rewrite(final Path path, final String text) throws Exception
    {
        final FileTime before = Files.getLastModifiedTime(path);
        Files.writeString(path, text);
        // A rewrite within the file system's timestamp granularity is still seen if the size changed; these tests
        // change the size, and move the time on for file systems that keep whole seconds.
        Files.setLastModifiedTime(path, FileTime.fromMillis(before.toMillis() + 2_000));
    }
}
