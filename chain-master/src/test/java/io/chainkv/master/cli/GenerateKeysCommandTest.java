package io.chainkv.master.cli;

import io.chainkv.cluster.ZooKeeperCredentials;
import io.chainkv.cluster.ZooKeeperPrincipal;
import io.chainkv.security.FrameTrailer;
import io.chainkv.security.KeyRing;
import io.chainkv.security.KeyRole;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateKeysCommandTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void writesAClusterKeyFileReadableByItsOwnerOnly(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("cluster.keys");

        assertEquals(ChainCtl.EXIT_OK, run("generate-keys", "--out", file.toString()));

        final KeyRing keys = KeyRing.load(file);
        assertTrue(keys.has(KeyRole.MEMBER));
        assertTrue(keys.has(KeyRole.CLIENT));
        final ZooKeeperCredentials logins = ZooKeeperCredentials.load(file);
        for (final ZooKeeperPrincipal principal : ZooKeeperPrincipal.values())
        {
            assertTrue(logins.canLogIn(principal), principal.word());
        }
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Files.getPosixFilePermissions(file));
    }

    @Test
    void anApplicationsFileHoldsTheClustersClientKeyAndNoMemberKey(@TempDir final Path dir) throws Exception
    {
        final Path cluster = dir.resolve("cluster.keys");
        final Path app = dir.resolve("app.keys");
        assertEquals(ChainCtl.EXIT_OK, run("generate-keys", "--out", cluster.toString()));

        assertEquals(ChainCtl.EXIT_OK, run("generate-keys", "--out", app.toString(), "--clients-of", cluster.toString()));

        final KeyRing appKeys = KeyRing.load(app);
        assertFalse(appKeys.has(KeyRole.MEMBER));
        assertFalse(Files.readString(app).contains("zookeeper"), "applications get no ZooKeeper login");
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[10 + FrameTrailer.LENGTH]);
        appKeys.signer(KeyRole.CLIENT).sign(1001, frame, 0, 10, frame, 10);
        assertTrue(KeyRing.load(cluster).verifier(KeyRole.CLIENT).verify(1001, frame, 0, frame.capacity()));
    }

    @Test
    void aNodesFileLogsInToZooKeeperAsTheNodeOnly(@TempDir final Path dir) throws Exception
    {
        final Path cluster = dir.resolve("cluster.keys");
        final Path node = dir.resolve("node.keys");
        assertEquals(ChainCtl.EXIT_OK, run("generate-keys", "--out", cluster.toString()));

        assertEquals(ChainCtl.EXIT_OK, run("generate-keys", "--out", node.toString(), "--from", cluster.toString(),
            "--zookeeper-for", "node"));

        assertTrue(KeyRing.load(node).has(KeyRole.MEMBER), "a node signs frames");
        final ZooKeeperCredentials logins = ZooKeeperCredentials.load(node);
        assertTrue(logins.canLogIn(ZooKeeperPrincipal.NODE));
        assertFalse(logins.canLogIn(ZooKeeperPrincipal.MASTER));
        assertFalse(logins.canLogIn(ZooKeeperPrincipal.OPERATOR));
        assertEquals(ZooKeeperCredentials.load(cluster).id(ZooKeeperPrincipal.MASTER),
            logins.id(ZooKeeperPrincipal.MASTER), "it names the master in ACLs as the master's own file does");
        assertEquals(ChainCtl.EXIT_USAGE, run("generate-keys", "--out", dir.resolve("x.keys").toString(),
            "--from", cluster.toString(), "--zookeeper-for", "admin"));
    }

    @Test
    void anExistingFileIsNeverOverwritten(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("cluster.keys");
        Files.writeString(file, "precious");

        assertEquals(ChainCtl.EXIT_USAGE, run("generate-keys", "--out", file.toString()));

        assertEquals("precious", Files.readString(file));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("never overwritten"), err.toString());
    }

    private int run(final String... args)
    {
        return ChainCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
