package io.chainkv.cluster;

import io.chainkv.security.KeyRing;
import io.chainkv.security.KeyRole;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZooKeeperCredentialsTest
{
    private static final String FRAME_KEYS =
        "member 1 " + "ab".repeat(32) + "\n" +
        "client 1001 " + "cd".repeat(32) + "\n";

    @Test
    void aKeyFileCarriesBothFrameKeysAndZooKeeperLogins()
    {
        final String text = FRAME_KEYS + ZooKeeperCredentials.generate();
        final KeyRing keys = KeyRing.parse(text, "cluster.keys");
        assertTrue(keys.has(KeyRole.MEMBER) && keys.has(KeyRole.CLIENT), "KeyRing skips the zookeeper lines");
        assertFalse(keys.toText(KeyRole.CLIENT).contains("zookeeper"), "applications' files get no login");

        final ZooKeeperCredentials credentials = ZooKeeperCredentials.parse(text, "cluster.keys");
        for (final ZooKeeperPrincipal principal : ZooKeeperPrincipal.values())
        {
            assertTrue(credentials.canLogIn(principal));
            assertTrue(credentials.id(principal).getId().startsWith(principal.user() + ":"));
        }
    }

    @Test
    void aProcessFileLogsInAsOnePrincipalAndNamesTheOthers()
    {
        final ZooKeeperCredentials cluster = ZooKeeperCredentials.parse(ZooKeeperCredentials.generate(), "cluster");
        final ZooKeeperCredentials node = ZooKeeperCredentials.parse(cluster.toText(ZooKeeperPrincipal.NODE), "node");
        assertTrue(node.canLogIn(ZooKeeperPrincipal.NODE));
        assertFalse(node.canLogIn(ZooKeeperPrincipal.MASTER));
        assertFalse(node.canLogIn(ZooKeeperPrincipal.OPERATOR));
        for (final ZooKeeperPrincipal principal : ZooKeeperPrincipal.values())
        {
            assertEquals(cluster.id(principal), node.id(principal), "the same ACL ids: " + principal);
        }
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> node.requireLogin(ZooKeeperPrincipal.MASTER));
        assertTrue(ex.getMessage().contains("'zookeeper master <password>'"), ex.getMessage());
    }

    @Test
    void badLinesAreNamed()
    {
        assertMessage("line 1: unknown ZooKeeper principal 'admin'", "zookeeper admin " + "a".repeat(32));
        assertMessage("line 2: ZooKeeper principal node is listed twice",
            "zookeeper node " + "a".repeat(32) + "\nzookeeper node " + "b".repeat(32));
        assertMessage("at least 16 characters", "zookeeper node short");
        assertMessage("expected 'zookeeper <master|node|operator>", "zookeeper node");
    }

    @Test
    void processesWithoutLoginsRefuseToStartUnlessAuthenticationIsOff()
    {
        final ZooKeeperSettings anonymous = ZooKeeperSettings.defaults("127.0.0.1:2181");
        final IllegalStateException none = assertThrows(IllegalStateException.class,
            () -> anonymous.withLoginFrom(null, null, ZooKeeperPrincipal.NODE));
        assertTrue(none.getMessage().contains("--key-file") && none.getMessage().contains("--zookeeper-auth off"),
            none.getMessage());

        final IllegalStateException missing = assertThrows(IllegalStateException.class,
            () -> anonymous.withLoginFrom("required", Path.of("no-such.keys").toString(), ZooKeeperPrincipal.NODE));
        assertTrue(missing.getMessage().contains("chainctl generate-keys"), missing.getMessage());

        assertSame(anonymous, anonymous.withLoginFrom("off", null, ZooKeeperPrincipal.NODE));
        assertNull(anonymous.principal());
        assertThrows(IllegalArgumentException.class, () -> anonymous.withLoginFrom("maybe", null,
            ZooKeeperPrincipal.NODE));
    }

    @Test
    void theSuiteKeyFileLogsInAsEveryPrincipal()
    {
        final String keyFile = System.getProperty("chainkv.key.file");
        if (null == keyFile)
        {
            return;
        }
        for (final ZooKeeperPrincipal principal : ZooKeeperPrincipal.values())
        {
            assertEquals(principal, ZooKeeperSettings.defaults("127.0.0.1:2181")
                .withLoginFrom(null, keyFile, principal).principal());
        }
    }

    private static void assertMessage(final String expected, final String text)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> ZooKeeperCredentials.parse(text, "f"));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
