package io.chainkv.security;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyRingTest
{
    private static final String MEMBER_1 = "member 1 " + "11".repeat(32) + "\n";
    private static final String MEMBER_2 = "member 2 " + "22".repeat(32) + "\n";
    private static final String CLIENT_7 = "client 7 " + "77".repeat(32) + "\n";

    @Test
    void aFrameSignedWithAKeyIsAcceptedByAVerifierOfItsRole()
    {
        final KeyRing ring = KeyRing.parse(MEMBER_1 + CLIENT_7, "test");
        final UnsafeBuffer frame = signed(ring.signer(KeyRole.CLIENT), 1001, "a request");

        final FrameVerifier verifier = ring.verifier(KeyRole.CLIENT, KeyRole.MEMBER);
        assertTrue(verifier.verify(1001, frame, 0, frame.capacity()));
        assertEquals(KeyRole.CLIENT, verifier.lastRole());
    }

    @Test
    void aClientKeyIsRefusedWhereOnlyMembersAreAccepted()
    {
        final KeyRing ring = KeyRing.parse(MEMBER_1 + CLIENT_7, "test");
        final UnsafeBuffer frame = signed(ring.signer(KeyRole.CLIENT), 1003, "an ack");

        final FrameVerifier verifier = ring.verifier(KeyRole.MEMBER);
        assertFalse(verifier.verify(1003, frame, 0, frame.capacity()));
        assertNull(verifier.lastRole());
    }

    @Test
    void aFrameIsRefusedOnAnotherStreamThanItWasSignedFor()
    {
        final KeyRing ring = KeyRing.parse(MEMBER_1, "test");
        final UnsafeBuffer frame = signed(ring.signer(KeyRole.MEMBER), 1002, "an update");

        assertFalse(ring.verifier(KeyRole.MEMBER).verify(1003, frame, 0, frame.capacity()));
    }

    @Test
    void anyChangedByteOfMessageOrTrailerIsRefused()
    {
        final KeyRing ring = KeyRing.parse(MEMBER_1, "test");
        final FrameVerifier verifier = ring.verifier(KeyRole.MEMBER);
        final UnsafeBuffer frame = signed(ring.signer(KeyRole.MEMBER), 1002, "an update with some bytes");
        for (int i = 0; i < frame.capacity(); i++)
        {
            final byte original = frame.getByte(i);
            frame.putByte(i, (byte)(original ^ 0x01));
            assertFalse(verifier.verify(1002, frame, 0, frame.capacity()), "byte " + i);
            frame.putByte(i, original);
        }
        assertTrue(verifier.verify(1002, frame, 0, frame.capacity()));
    }

    @Test
    void aFrameSignedWithAnotherClustersKeyIsRefused()
    {
        final UnsafeBuffer frame = signed(KeyRing.parse(MEMBER_2, "other").signer(KeyRole.MEMBER), 1002, "an update");
        // Same key id, different secret.
        final KeyRing ours = KeyRing.parse("member 2 " + "33".repeat(32), "ours");

        assertFalse(ours.verifier(KeyRole.MEMBER).verify(1002, frame, 0, frame.capacity()));
    }

    @Test
    void duringARolloverBothKeysAreAcceptedAndTheFirstSigns()
    {
        final KeyRing old = KeyRing.parse(MEMBER_1, "old");
        final KeyRing rolling = KeyRing.parse(MEMBER_2 + MEMBER_1, "rolling");

        final UnsafeBuffer fromOld = signed(old.signer(KeyRole.MEMBER), 1002, "x");
        final UnsafeBuffer fromRolling = signed(rolling.signer(KeyRole.MEMBER), 1002, "x");

        assertTrue(rolling.verifier(KeyRole.MEMBER).verify(1002, fromOld, 0, fromOld.capacity()));
        assertEquals(2, rolling.signer(KeyRole.MEMBER).keyId());
        assertFalse(old.verifier(KeyRole.MEMBER).verify(1002, fromRolling, 0, fromRolling.capacity()));
    }

    @Test
    void aFrameTooShortToHoldATrailerIsRefused()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameTrailer.LENGTH]);
        assertFalse(KeyRing.parse(MEMBER_1, "test").verifier(KeyRole.MEMBER).verify(1002, frame, 0, frame.capacity()));
    }

    @Test
    void aKeyFileWithAMistakeIsRefusedNamingTheLine()
    {
        final IllegalArgumentException badHex = assertThrows(IllegalArgumentException.class,
            () -> KeyRing.parse(MEMBER_1 + "client 9 " + "zz".repeat(32), "keys.txt"));
        assertTrue(badHex.getMessage().startsWith("keys.txt line 2: "), badHex.getMessage());

        assertThrows(IllegalArgumentException.class, () -> KeyRing.parse(MEMBER_1 + MEMBER_1, "t"));
        assertThrows(IllegalArgumentException.class, () -> KeyRing.parse("admin 1 " + "11".repeat(32), "t"));
        assertThrows(IllegalArgumentException.class, () -> KeyRing.parse("member 1 1234", "t"));
        assertThrows(IllegalArgumentException.class, () -> KeyRing.parse("# nothing\n", "t"));
        final IllegalArgumentException wideClientId = assertThrows(IllegalArgumentException.class,
            () -> KeyRing.parse("client 65536 " + "11".repeat(32), "t"));
        assertTrue(wideClientId.getMessage().contains("at most 65535"), wideClientId.getMessage());
    }

    @Test
    void aClientsKeyFileCannotSignAsAMember()
    {
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> KeyRing.parse(CLIENT_7, "client.keys").signer(KeyRole.MEMBER));
        assertTrue(refused.getMessage().contains("no member key"), refused.getMessage());
    }

    @Test
    void aGeneratedKeyFileIsReadableByItsOwnerOnlyAndLoads(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("cluster.keys");
        KeyRing.generateFile(file, EnumSet.allOf(KeyRole.class));

        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Files.getPosixFilePermissions(file));
        final KeyRing ring = KeyRing.load(file);
        assertTrue(ring.has(KeyRole.MEMBER));
        assertTrue(ring.has(KeyRole.CLIENT));
    }

    @Test
    void aMissingKeyFileSaysHowToMakeOne(@TempDir final Path dir)
    {
        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> KeyRing.load(dir.resolve("nope.keys")));
        assertTrue(missing.getMessage().contains("chainctl generate-keys"), missing.getMessage());
    }

    private static UnsafeBuffer signed(final FrameSigner signer, final int streamId, final String text)
    {
        final byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[bytes.length + FrameTrailer.LENGTH]);
        frame.putBytes(0, bytes);
        signer.sign(streamId, frame, 0, bytes.length, frame, bytes.length);
        return frame;
    }
}
