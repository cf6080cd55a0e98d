package io.chainkv.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
            if (KeyRole.CLIENT == role && id > ClientIds.MAX_CLIENT_KEY_ID)
            {
                // The key id is part of every client id the key opens (ClientIds).
                throw new IllegalArgumentException(where + "a client key id is at most " + ClientIds.MAX_CLIENT_KEY_ID);
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
        final StringBuilder text = new StringBuilder(
            "# ChainKV keys (docs/security.md): keep this file secret (mode 600).\n" +
            "# role  id  secret; every key listed is accepted, the first of each role signs.\n");
        for (final KeyRole role : EnumSet.copyOf(roles))
        {
            text.append(newKeyLine(role, KeyRole.MEMBER == role ? 1 : 1001));
        }
        return text.toString();
    }

    /**
     * @return the lowest unused client key id above every client key of this ring (1001 if it has none).
     */
    public int nextClientKeyId()
    {
        int max = 1000;
        for (final Entry entry : entries)
        {
            if (KeyRole.CLIENT == entry.role)
            {
                max = Math.max(max, entry.id);
            }
        }
        return max + 1;
    }

    /**
     * @param keyId a key id.
     * @return the role of the ring's key with that id, null if it has none.
     */
    public KeyRole roleOf(final int keyId)
    {
        for (final Entry entry : entries)
        {
            if (entry.id == keyId)
            {
                return entry.role;
            }
        }
        return null;
    }

    /**
     * @param role of the key.
     * @param id   of the key.
     * @return a key file line with a fresh random secret.
     */
    public static String newKeyLine(final KeyRole role, final int id)
    {
        final byte[] secret = new byte[HmacSha256.KEY_LENGTH];
        new SecureRandom().nextBytes(secret);
        return role.word() + ' ' + id + ' ' + HexFormat.of().formatHex(secret) + '\n';
    }

    /**
     * @param text  a key file's text.
     * @param keyId the key to leave out.
     * @return the text without the line of that key, comments and order kept.
     */
    public static String withoutKey(final String text, final int keyId)
    {
        final StringBuilder kept = new StringBuilder();
        for (final String line : text.split("\n", -1))
        {
            final String[] words = stripComment(line).trim().split("\\s+");
            if (!(words.length == 3 && words[1].equals(Integer.toString(keyId))))
            {
                kept.append(line).append('\n');
            }
        }
        // split keeps the empty piece after the last newline: drop the newline added for it.
        return kept.substring(0, kept.length() - 1);
    }

    /**
     * Replaces a key file's text at once (a new file renamed over the old), so a process reading it never sees half
     * of it (docs/security.md, "Issuing and revoking client keys").
     *
     * @param file the key file.
     * @param text its new text.
     * @throws IOException if it cannot be written.
     */
    public static void replaceFile(final Path file, final String text) throws IOException
    {
        final Path directory = file.toAbsolutePath().getParent();
        final Path next = directory.resolve(file.getFileName() + ".next");
        Files.deleteIfExists(next);
        writeFile(next, text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
     * @return the ids of the keys by role, for logs (never the secrets).
     */
    public String describe()
    {
        final StringBuilder text = new StringBuilder();
        for (final KeyRole role : KeyRole.values())
        {
            text.append(0 == text.length() ? "" : ", ").append(role.word()).append(" keys [");
            String separator = "";
            for (final Entry entry : entries)
            {
                if (entry.role == role)
                {
                    text.append(separator).append(entry.id);
                    separator = ", ";
                }
            }
            text.append(']');
        }
        return text.toString();
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
     * @return signers of answers to clients, one per client key, for one thread.
     * @throws IllegalStateException if the ring has no client key.
     */
    public ClientReplySigners clientReplySigners()
    {
        if (!has(KeyRole.CLIENT))
        {
            signer(KeyRole.CLIENT); // throws, saying which key is missing
        }
        final ClientReplySigners signers = new ClientReplySigners();
        for (final Entry entry : entries)
        {
            if (KeyRole.CLIENT == entry.role)
            {
                signers.add(new FrameSigner(KeyRole.CLIENT, entry.id, entry.secret));
            }
        }
        return signers;
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
