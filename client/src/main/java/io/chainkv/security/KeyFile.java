package io.chainkv.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A process's key file, read again when it changes, so keys are issued, revoked and rotated without restarting the
 * process (docs/security.md, "Issuing and revoking client keys"). Readers take {@link #ring()}; threads that hold
 * signers and verifiers made from it compare {@link #generation()} with the one they were made from (one volatile read
 * per duty cycle) and make new ones when it moved.
 * <p>
 * A changed file that does not parse, or no longer holds a key the process had a role for, is not taken: the process
 * keeps the keys it has, and {@link #reloadIfChanged()} says why, so a half-written edit never locks a cluster out.
 */
public final class KeyFile
{
    private final Path path;
    private volatile KeyRing ring;
    private volatile long generation;
    private Object lastVersion;

    private KeyFile(final Path path, final KeyRing ring, final Object version)
    {
        this.path = path;
        this.ring = ring;
        this.lastVersion = version;
    }

    /**
     * @param path the key file.
     * @return its keys, as read now.
     * @throws IllegalArgumentException with a sentence saying what is wrong with the file.
     */
    public static KeyFile load(final Path path)
    {
        final Object version = versionOf(path);
        return new KeyFile(path, KeyRing.load(path), version);
    }

    /**
     * @return the file.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return the keys last read.
     */
    public KeyRing ring()
    {
        return ring;
    }

    /**
     * @return how many times the keys were replaced since the file was first read.
     */
    public long generation()
    {
        return generation;
    }

    /**
     * Reads the file again if its size or modification time changed. Called by one thread, now and then.
     *
     * @return null if the keys are unchanged or were replaced; otherwise why the changed file was not taken.
     */
    public synchronized String reloadIfChanged()
    {
        final Object version = versionOf(path);
        if (version.equals(lastVersion))
        {
            return null;
        }
        lastVersion = version;
        final KeyRing next;
        try
        {
            next = KeyRing.load(path);
        }
        catch (final IllegalArgumentException ex)
        {
            return ex.getMessage() + "; keeping the keys read before";
        }
        for (final KeyRole role : KeyRole.values())
        {
            if (ring.has(role) && !next.has(role))
            {
                return path + " no longer holds a " + role.word() + " key; keeping the keys read before";
            }
        }
        ring = next;
        generation++;
        return null;
    }

    private static Object versionOf(final Path path)
    {
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return attributes.lastModifiedTime().toMillis() + "/" + attributes.size() + "/" + attributes.fileKey();
        }
        catch (final IOException ex)
        {
            return "unreadable: " + ex.getMessage();
        }
    }
}
