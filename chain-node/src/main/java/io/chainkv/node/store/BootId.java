package io.chainkv.node.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Which boot of the machine a process runs in: the kernel's boot id, a random UUID Linux draws at every boot
 * ({@value #LINUX_FILE}). A store records the boot it was opened in, because a store that was not closed cleanly can be
 * trusted only within that boot: a killed process leaves its writes in the page cache, which the kernel writes back
 * later, but an OS crash or a power loss drops whatever had not been written back yet, in no particular order, so the
 * metadata page may claim writes the map pages lack (docs/store.md, "Which stores a node trusts").
 * <p>
 * Where the kernel gives no boot id (not Linux, no /proc) the boot is {@link #UNKNOWN}, and a store not closed cleanly
 * is not trusted: no boot can be proven to be the same.
 * <p>
 * Test hook: the system property {@value #FILE_PROP} names another file to read the boot id from, so a test can make a
 * restarted process believe its machine restarted.
 */
public final class BootId
{
    /** The file Linux keeps the boot id in. */
    public static final String LINUX_FILE = "/proc/sys/kernel/random/boot_id";

    /** Test hook: the file to read the boot id from instead of {@value #LINUX_FILE}. */
    public static final String FILE_PROP = "chainkv.test.boot.id.file";

    /** No boot id could be read; never the same boot as any other. */
    public static final BootId UNKNOWN = new BootId(0, 0);

    private final long high;
    private final long low;

    BootId(final long high, final long low)
    {
        this.high = high;
        this.low = low;
    }

    /**
     * @return the boot this process runs in, or {@link #UNKNOWN}.
     */
    public static BootId current()
    {
        return read(Path.of(System.getProperty(FILE_PROP, LINUX_FILE)));
    }

    /**
     * @param file a file holding a UUID, as {@value #LINUX_FILE} does.
     * @return the boot id it holds, or {@link #UNKNOWN} if it is missing or holds no UUID.
     */
    static BootId read(final Path file)
    {
        try
        {
            return of(Files.readString(file).trim());
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return UNKNOWN;
        }
    }

    /**
     * @param uuid a boot id as the kernel prints it.
     * @return that boot id.
     * @throws IllegalArgumentException if it is not a UUID.
     */
    static BootId of(final String uuid)
    {
        final UUID parsed = UUID.fromString(uuid);
        return new BootId(parsed.getMostSignificantBits(), parsed.getLeastSignificantBits());
    }

    long high()
    {
        return high;
    }

    long low()
    {
        return low;
    }

    /**
     * @return false for {@link #UNKNOWN}.
     */
    boolean isKnown()
    {
        return 0 != high || 0 != low;
    }

    /**
     * @return true only if both are known and equal: an unknown boot is never the same as another.
     */
    boolean sameBootAs(final BootId other)
    {
        return isKnown() && high == other.high && low == other.low;
    }

    public boolean equals(final Object o)
    {
        return o instanceof BootId && ((BootId)o).high == high && ((BootId)o).low == low;
    }

    public int hashCode()
    {
        return Long.hashCode(high) * 31 + Long.hashCode(low);
    }

    public String toString()
    {
        return isKnown() ? new UUID(high, low).toString() : "unknown";
    }
}
