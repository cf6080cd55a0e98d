package io.chainkv.master.cli;

import io.chainkv.security.FrameTrailer;
import io.chainkv.security.KeyRing;
import io.chainkv.security.KeyRole;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientKeyCommandsTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    @TempDir
    Path dir;
    private Path cluster;

    @BeforeEach
    void generateClusterKeys()
    {
        cluster = dir.resolve("cluster.keys");
        assertEquals(ChainCtl.EXIT_OK, run("generate-keys", "--out", cluster.toString()));
    }

    @Test
    void anIssuedKeyIsTheApplicationsAloneAndTheClusterAcceptsIt() throws Exception
    {
        final Path app = dir.resolve("app.keys");

        assertEquals(ChainCtl.EXIT_OK, run("issue-client-key", "--cluster-keys", cluster.toString(), "--out",
            app.toString()));

        final KeyRing appKeys = KeyRing.load(app);
        assertFalse(appKeys.has(KeyRole.MEMBER));
        assertEquals(1002, appKeys.signer(KeyRole.CLIENT).keyId());
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Files.getPosixFilePermissions(app));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Files.getPosixFilePermissions(cluster));
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[10 + FrameTrailer.LENGTH]);
        appKeys.signer(KeyRole.CLIENT).sign(1001, frame, 0, 10, frame, 10);
        assertTrue(KeyRing.load(cluster).verifier(KeyRole.CLIENT).verify(1001, frame, 0, frame.capacity()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("issued client key 1002"), out.toString());
    }

    @Test
    void aRevokedKeyIsGoneFromTheClustersFileAndItsOtherKeysStay() throws Exception
    {
        assertEquals(ChainCtl.EXIT_OK, run("issue-client-key", "--cluster-keys", cluster.toString(), "--out",
            dir.resolve("app.keys").toString(), "--id", "2000"));

        assertEquals(ChainCtl.EXIT_OK, run("revoke-client-key", "--cluster-keys", cluster.toString(), "--id", "2000"));

        final KeyRing keys = KeyRing.load(cluster);
        assertNull(keys.roleOf(2000));
        assertEquals(KeyRole.MEMBER, keys.roleOf(1));
        assertEquals(KeyRole.CLIENT, keys.roleOf(1001));
        assertTrue(Files.readString(cluster).startsWith("# ChainKV keys"), "comments are kept");
    }

    @Test
    void revokingTheLastClientKeyOrTheMemberKeyOrAnUnknownKeyIsRefusedAndChangesNothing() throws Exception
    {
        final String before = Files.readString(cluster);

        assertEquals(ChainCtl.EXIT_USAGE, run("revoke-client-key", "--cluster-keys", cluster.toString(), "--id", "1001"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("issue another first"), err.toString());
        assertEquals(ChainCtl.EXIT_USAGE, run("revoke-client-key", "--cluster-keys", cluster.toString(), "--id", "1"));
        assertEquals(ChainCtl.EXIT_NOT_FOUND, run("revoke-client-key", "--cluster-keys", cluster.toString(), "--id", "7"));

        assertEquals(before, Files.readString(cluster));
    }

    @Test
    void anIssueThatCannotWriteTheApplicationsFileChangesNothing() throws Exception
    {
        final Path app = dir.resolve("app.keys");
        Files.writeString(app, "precious");
        final String before = Files.readString(cluster);

        assertEquals(ChainCtl.EXIT_USAGE, run("issue-client-key", "--cluster-keys", cluster.toString(), "--out",
            app.toString()));
        assertEquals(ChainCtl.EXIT_USAGE, run("issue-client-key", "--cluster-keys", cluster.toString(), "--out",
            dir.resolve("other.keys").toString(), "--id", "1001"));
        assertEquals(ChainCtl.EXIT_USAGE, run("issue-client-key", "--cluster-keys", cluster.toString(), "--out",
            dir.resolve("wide.keys").toString(), "--id", "70000"));

        assertEquals("precious", Files.readString(app));
        assertEquals(before, Files.readString(cluster));
    }

    private int run(final String... args)
    {
        return ChainCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
