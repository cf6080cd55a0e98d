package io.chainkv.cluster;

import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The ZooKeeper principals of a cluster, from the {@code zookeeper} lines of its key file (docs/security.md,
 * "ZooKeeper"):
 * <pre>
 * zookeeper master   3c9a...            # password (64 hex digits): this process may log in as chainkv-master
 * zookeeper node     71fe...
 * zookeeper operator digest:Qm9v...=    # only the ACL id: this process names the operator in ACLs, cannot be one
 * </pre>
 * Every process that creates znodes must know the ACL id of all three principals (the ACL of a znode is the same
 * whoever creates it), and the password of the one it logs in as. The other lines of the file are {@code KeyRing}'s.
 */
public final class ZooKeeperCredentials
{
    /** First word of a key file line that this class reads (and {@code KeyRing} skips). */
    public static final String LINE_WORD = "zookeeper";

    /** Prefix of a secret that is a digest ACL id rather than a password. */
    public static final String DIGEST_PREFIX = "digest:";

    private static final int MIN_PASSWORD_LENGTH = 16;

    private final Map<ZooKeeperPrincipal, String> passwords;
    private final Map<ZooKeeperPrincipal, Id> ids;
    private final String source;

    private ZooKeeperCredentials(
        final Map<ZooKeeperPrincipal, String> passwords, final Map<ZooKeeperPrincipal, Id> ids, final String source)
    {
        this.passwords = passwords;
        this.ids = ids;
        this.source = source;
    }

    /**
     * @param file a key file.
     * @return its ZooKeeper credentials (possibly none).
     * @throws IllegalArgumentException with a sentence saying what is wrong with the file.
     */
    public static ZooKeeperCredentials load(final Path file)
    {
        try
        {
            return parse(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException("key file " + file + " does not exist: generate one with " +
                "'chainctl generate-keys --out " + file + "' (docs/security.md)");
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read key file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @param text   a key file's contents; lines not starting with {@link #LINE_WORD} are ignored.
     * @param source names the text in error messages.
     * @return the credentials it holds.
     * @throws IllegalArgumentException naming the line that is wrong.
     */
    public static ZooKeeperCredentials parse(final String text, final String source)
    {
        final Map<ZooKeeperPrincipal, String> passwords = new EnumMap<>(ZooKeeperPrincipal.class);
        final Map<ZooKeeperPrincipal, Id> ids = new EnumMap<>(ZooKeeperPrincipal.class);
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final int hash = lines[i].indexOf('#');
            final String[] words = (hash < 0 ? lines[i] : lines[i].substring(0, hash)).trim().split("\\s+");
            if (!LINE_WORD.equals(words[0]))
            {
                continue;
            }
            final String where = source + " line " + (i + 1) + ": ";
            if (words.length != 3)
            {
                throw new IllegalArgumentException(where + "expected 'zookeeper <master|node|operator> <password " +
                    "or digest:...>'");
            }
            final ZooKeeperPrincipal principal = ZooKeeperPrincipal.ofWord(words[1]);
            if (null == principal)
            {
                throw new IllegalArgumentException(where + "unknown ZooKeeper principal '" + words[1] +
                    "' (master, node or operator)");
            }
            if (ids.containsKey(principal))
            {
                throw new IllegalArgumentException(where + "ZooKeeper principal " + words[1] + " is listed twice");
            }
            final String secret = words[2];
            if (secret.startsWith(DIGEST_PREFIX))
            {
                final String digest = secret.substring(DIGEST_PREFIX.length());
                if (digest.isEmpty() || digest.contains(":"))
                {
                    throw new IllegalArgumentException(where + "a digest is 'digest:' and the base64 SHA-1 that " +
                        "'chainctl generate-keys --zookeeper-for' writes");
                }
                ids.put(principal, new Id("digest", principal.user() + ":" + digest));
            }
            else
            {
                if (secret.length() < MIN_PASSWORD_LENGTH)
                {
                    throw new IllegalArgumentException(where + "a ZooKeeper password has at least " +
                        MIN_PASSWORD_LENGTH + " characters ('chainctl generate-keys' makes 64 hex digits)");
                }
                passwords.put(principal, secret);
                ids.put(principal, new Id("digest", digestOf(principal, secret)));
            }
        }
        return new ZooKeeperCredentials(passwords, ids, source);
    }

    /**
     * @return key file lines with a fresh random password for each principal.
     */
    public static String generate()
    {
        final SecureRandom random = new SecureRandom();
        final StringBuilder text = new StringBuilder(
            "# ZooKeeper logins (docs/security.md, \"ZooKeeper\"): zookeeper <principal> <password>\n");
        for (final ZooKeeperPrincipal principal : ZooKeeperPrincipal.values())
        {
            final byte[] password = new byte[32];
            random.nextBytes(password);
            text.append(LINE_WORD).append(' ').append(principal.word()).append(' ')
                .append(HexFormat.of().formatHex(password)).append('\n');
        }
        return text.toString();
    }

    /**
     * @param login the principal whose password to keep.
     * @return key file lines with that principal's password and only the ACL ids of the others: what a process that
     * logs in as {@code login} needs, and nothing that would let it log in as another.
     * @throws IllegalArgumentException if these credentials lack the password of {@code login} or an id.
     */
    public String toText(final ZooKeeperPrincipal login)
    {
        requireLogin(login);
        final StringBuilder text = new StringBuilder("# ZooKeeper login of chainkv-" + login.word() + " from " +
            source + " (docs/security.md, \"ZooKeeper\")\n");
        for (final ZooKeeperPrincipal principal : ZooKeeperPrincipal.values())
        {
            text.append(LINE_WORD).append(' ').append(principal.word()).append(' ');
            if (principal == login)
            {
                text.append(passwords.get(principal));
            }
            else
            {
                final String id = ids.get(principal).getId();
                text.append(DIGEST_PREFIX).append(id.substring(id.indexOf(':') + 1));
            }
            text.append('\n');
        }
        return text.toString();
    }

    /**
     * @param login the principal a process logs in as.
     * @throws IllegalArgumentException with a sentence saying what to add, if the process cannot log in as it or
     *                                  cannot name every principal in the ACLs it sets.
     */
    public void requireLogin(final ZooKeeperPrincipal login)
    {
        if (!passwords.containsKey(login))
        {
            throw new IllegalArgumentException(source + " has no ZooKeeper password for chainkv-" + login.word() +
                " (a line 'zookeeper " + login.word() + " <password>'): ZooKeeper requires logins, so this process " +
                "cannot reach the cluster's znodes. Use a key file made by 'chainctl generate-keys' (older files: " +
                "add the lines it writes, docs/security.md \"ZooKeeper\"), or run every process of the cluster with " +
                "--zookeeper-auth off (-Dchainkv.zookeeper.auth=off) on a trusted network");
        }
        for (final ZooKeeperPrincipal principal : ZooKeeperPrincipal.values())
        {
            if (!ids.containsKey(principal))
            {
                throw new IllegalArgumentException(source + " has no 'zookeeper " + principal.word() + "' line: " +
                    "every process names all three principals in the ACLs of the znodes it creates " +
                    "(docs/security.md, \"ZooKeeper\")");
            }
        }
    }

    /**
     * @param principal a principal.
     * @return true if these credentials can log in as it.
     */
    public boolean canLogIn(final ZooKeeperPrincipal principal)
    {
        return passwords.containsKey(principal);
    }

    /**
     * @param principal a principal whose password these credentials hold.
     * @return the digest scheme's authentication data, {@code user:password}.
     */
    public byte[] authorization(final ZooKeeperPrincipal principal)
    {
        requireLogin(principal);
        return (principal.user() + ":" + passwords.get(principal)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param principal a principal.
     * @return its digest ACL id.
     * @throws IllegalArgumentException if these credentials do not name it.
     */
    public Id id(final ZooKeeperPrincipal principal)
    {
        final Id id = ids.get(principal);
        if (null == id)
        {
            throw new IllegalArgumentException(source + " has no 'zookeeper " + principal.word() + "' line");
        }
        return id;
    }

    /**
     * @return where the credentials came from, for messages.
     */
    public String source()
    {
        return source;
    }

    /**
     * The ACL id ZooKeeper's digest provider gives a session that logged in with this password: the same function, so
     * the ids in the ACLs are exactly what the server computes.
     */
    private static String digestOf(final ZooKeeperPrincipal principal, final String password)
    {
        try
        {
            return DigestAuthenticationProvider.generateDigest(principal.user() + ":" + password);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("this JVM has no SHA-1, which ZooKeeper's digest scheme needs", ex);
        }
    }

    public String toString()
    {
        return "ZooKeeperCredentials{" + source + " logins=" + passwords.keySet() + "}";
    }
}
