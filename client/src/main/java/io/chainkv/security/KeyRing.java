package io.chainkv.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The secret keys a process holds, read from a key file (docs/security.md). One line per key:
 * <pre>
 * # role  id    secret (32 bytes as 64 hex digits)
 * member  1     5f0c...
 * client  1001  a93e...
 * </pre>
 * Every key listed is accepted; the first key of each role signs. A rollover therefore takes three rolling passes:
 * add the new key as a second line everywhere (accepted), move it first (signing), remove the old one.
 * <p>
 * A node or master holds the member key and the client keys (it answers clients); an application holds only client
 * keys, so it can never pass for a member.
 */
public final class KeyRing
{
    private final List<Entry> entries;
    private final String source;

    private KeyRing(final List<Entry> entries, final String source)
    {
        this.entries = entries;
        this.source = source;
    }

    /**
     * @param file a key file.
     * @return its keys.
     * @throws IllegalArgumentException with a sentence saying what is wrong with the file.
     */
    public static KeyRing load(final Path file)
    {
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.US_ASCII);
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
        return parse(text, file.toString());
    }

    /**
     * @param text   a key file's contents.
     * @param source names the text in error messages.
     * @return its keys.
     * @throws IllegalArgumentException naming the line that is wrong.
     */
    public static KeyRing parse(final String text, final String source)
    {
        final List<Entry> entries = new ArrayList<>();
        final Set<Integer> ids = new HashSet<>();
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final String line = stripComment(lines[i]).trim();
            if (line.isEmpty())
            {
                continue;
            }
            final String where = source + " line " + (i + 1) + ": ";
            final String[] words = line.split("\\s+");
            if ("zookeeper".equals(words[0]))
            {
                continue; // a ZooKeeper login, io.chainkv.cluster.ZooKeeperCredentials reads it
            }
            if (words.length != 3)
            {
                throw new IllegalArgumentException(where + "expected '<member|client> <id> <64 hex digits>'");
            }
            final KeyRole role = KeyRole.ofWord(words[0]);
            if (null == role)
            {
                throw new IllegalArgumentException(where + "unknown role '" + words[0] + "' (member or client)");
            }
            final int id;
            try
            {
                id = Integer.parseInt(words[1]);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(where + "key id '" + words[1] + "' is not a number");
            }
            if (id <= 0)
            {
                throw new IllegalArgumentException(where + "key id must be positive");
            }
            if (!ids.add(id))
            {
                throw new IllegalArgumentException(where + "key id " + id + " is listed twice");
            }
            entries.add(new Entry(role, id, parseSecret(words[2], where)));
        }
        if (entries.isEmpty())
        {
            throw new IllegalArgumentException(source + " holds no key");
        }
        return new KeyRing(Collections.unmodifiableList(entries), source);
    }

    /**
     * @param roles the roles to make a key for, each once.
     * @return the text of a new key file with a fresh random key per role (member id 1, client id 1001).
     */
    public static String generate(final Set<KeyRole> roles)
    {
        final SecureRandom random = new SecureRandom();
        final StringBuilder text = new StringBuilder(
            "# ChainKV keys (docs/security.md): keep this file secret (mode 600).\n" +
            "# role  id  secret; every key listed is accepted, the first of each role signs.\n");
        for (final KeyRole role : EnumSet.copyOf(roles))
        {
            final byte[] secret = new byte[HmacSha256.KEY_LENGTH];
            random.nextBytes(secret);
            text.append(role.word()).append(' ').append(KeyRole.MEMBER == role ? 1 : 1001).append(' ')
                .append(HexFormat.of().formatHex(secret)).append('\n');
        }
        return text.toString();
    }

    /**
     * Writes a new key file readable by its owner only.
     *
     * @param file  to create; must not exist.
     * @param roles the roles to make a key for.
     * @throws IOException if the file exists or cannot be written.
     */
    public static void generateFile(final Path file, final Set<KeyRole> roles) throws IOException
    {
        writeFile(file, generate(roles));
    }

    /**
     * Writes key file text to a new file readable by its owner only (created so before the secret is written).
     *
     * @param file to create; must not exist.
     * @param text key file text.
     * @throws IOException if the file exists or cannot be written.
     */
    public static void writeFile(final Path file, final String text) throws IOException
    {
        Files.createFile(file);
        try
        {
            Files.setPosixFilePermissions(file, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
        catch (final UnsupportedOperationException ignore)
        {
            // Not a POSIX file system: the directory's permissions have to protect it.
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    /**
     * @param role the role whose keys to keep.
     * @return key file text with this ring's keys of that role only, in order: for example the client keys of a
     * cluster's file, which is what an application is given.
     */
    public String toText(final KeyRole role)
    {
        final StringBuilder text = new StringBuilder("# ChainKV " + role.word() + " keys from " + source +
            " (docs/security.md): keep this file secret (mode 600).\n");
        for (final Entry entry : entries)
        {
            if (entry.role == role)
            {
                text.append(role.word()).append(' ').append(entry.id).append(' ')
                    .append(HexFormat.of().formatHex(entry.secret)).append('\n');
            }
        }
        return text.toString();
    }

    /**
     * @return where the keys came from, for messages.
     */
    public String source()
    {
        return source;
    }

    /**
     * @param role of a key.
     * @return true if the ring holds a key of the role.
     */
    public boolean has(final KeyRole role)
    {
        for (final Entry entry : entries)
        {
            if (entry.role == role)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param role the role to sign as.
     * @return a signer with the role's first key, for one thread.
     * @throws IllegalStateException if the ring has no key of the role.
     */
    public FrameSigner signer(final KeyRole role)
    {
        for (final Entry entry : entries)
        {
            if (entry.role == role)
            {
                return new FrameSigner(role, entry.id, entry.secret);
            }
        }
        throw new IllegalStateException(source + " has no " + role.word() + " key" + (KeyRole.MEMBER == role ?
            ": nodes and masters need the cluster's key file, not a client's" : ": add a 'client' line"));
    }

    /**
     * @param roles the roles whose keys are accepted.
     * @return a verifier accepting every key of those roles, for one thread.
     */
    public FrameVerifier verifier(final KeyRole... roles)
    {
        final FrameVerifier verifier = new FrameVerifier();
        for (final Entry entry : entries)
        {
            for (final KeyRole role : roles)
            {
                if (entry.role == role)
                {
                    verifier.accept(entry.id, role, entry.secret);
                }
            }
        }
        return verifier;
    }

    private static String stripComment(final String line)
    {
        final int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    private static byte[] parseSecret(final String hex, final String where)
    {
        if (hex.length() != 2 * HmacSha256.KEY_LENGTH)
        {
            throw new IllegalArgumentException(where + "a secret has " + 2 * HmacSha256.KEY_LENGTH +
                " hex digits (32 random bytes), this one " + hex.length());
        }
        try
        {
            return HexFormat.of().parseHex(hex);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(where + "the secret is not hexadecimal");
        }
    }

    private static final class Entry
    {
        final KeyRole role;
        final int id;
        final byte[] secret;

        Entry(final KeyRole role, final int id, final byte[] secret)
        {
            this.role = role;
            this.id = id;
            this.secret = secret;
        }
    }
}
