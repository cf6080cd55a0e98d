package io.chainkv.node.backup;

import io.chainkv.node.store.StoreConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * What a backup directory holds: the cluster and chain it was taken from, the sequence number its data is the
 * committed state at, its tombstone horizon, the store limits it must be opened with, and each file's size and
 * SHA-256, which a restore checks before it loads anything.
 * <p>
 * The tombstone horizon says which deletes the data may no longer record: the backup lacks every tombstone its source
 * tail had collected. A restored node starts with it, so it refuses a delta to a node older than those deletes. A
 * manifest written before the horizon was recorded names none; it reads as the backup's seq, the highest horizon the
 * data can have (costing at most a full transfer to a rejoining node).
 * <p>
 * A backup directory is {@value #FILE_NAME} plus {@value #STORE_DIR}/, a closed node store.
 */
public final class BackupManifest
{
    /** Name of the manifest file in a backup directory. */
    public static final String FILE_NAME = "MANIFEST.properties";

    /** Sub-directory holding the store files. */
    public static final String STORE_DIR = "store";

    /** Format this class writes and reads. */
    public static final int FORMAT = 1;

    private static final String FILE_PREFIX = "file.";
    private static final String TOMBSTONE_HORIZON = "tombstoneHorizon";

    private final String cluster;
    private final int chainId;
    private final long seq;
    private final long tombstoneHorizon;
    private final long entries;
    private final long digest;
    private final StoreConfig limits;
    private final Map<String, String> files;

    /**
     * @param cluster the cluster the backup was taken from.
     * @param chainId the chain.
     * @param seq     the data is the chain's committed state at this sequence number.
     * @param tombstoneHorizon tombstones up to this seq may have been collected from the data.
     * @param entries keys held, tombstones included.
     * @param digest  {@code ChainStore.digest()} of the data.
     * @param limits  the store limits the data must be opened with.
     * @param files   file name (relative to the store directory) to "size:sha256".
     */
    public BackupManifest(
        final String cluster,
        final int chainId,
        final long seq,
        final long tombstoneHorizon,
        final long entries,
        final long digest,
        final StoreConfig limits,
        final Map<String, String> files)
    {
        this.cluster = cluster;
        this.chainId = chainId;
        this.seq = seq;
        this.tombstoneHorizon = tombstoneHorizon;
        this.entries = entries;
        this.digest = digest;
        this.limits = limits;
        this.files = new LinkedHashMap<>(files);
    }

    public String cluster()
    {
        return cluster;
    }

    public int chainId()
    {
        return chainId;
    }

    public long seq()
    {
        return seq;
    }

    /**
     * @return tombstones up to this seq may have been collected from the data; a restore sets the store's horizon to it.
     */
    public long tombstoneHorizon()
    {
        return tombstoneHorizon;
    }

    public long entries()
    {
        return entries;
    }

    public long digest()
    {
        return digest;
    }

    /**
     * @return the store limits (not the directory) the backed-up store was created with.
     */
    public StoreConfig limits()
    {
        return limits;
    }

    /**
     * @param storeDir a closed store directory.
     * @return each regular file's name mapped to "size:sha256".
     * @throws IOException if a file cannot be read.
     */
    public static Map<String, String> describeFiles(final Path storeDir) throws IOException
    {
        final Map<String, String> described = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(storeDir))
        {
            for (final Path file : list.sorted().toList())
            {
                if (Files.isRegularFile(file) && !file.getFileName().toString().endsWith(".lock"))
                {
                    described.put(file.getFileName().toString(), Files.size(file) + ":" + sha256(file));
                }
            }
        }
        return described;
    }

    /**
     * Checks every file the manifest lists against its size and checksum.
     *
     * @param storeDir the backup's store directory.
     * @throws IllegalStateException naming the first file that is missing, of another size or checksum.
     * @throws IOException           if a file cannot be read.
     */
    public void verify(final Path storeDir) throws IOException
    {
        for (final Map.Entry<String, String> file : files.entrySet())
        {
            final Path path = storeDir.resolve(file.getKey());
            if (!Files.isRegularFile(path))
            {
                throw new IllegalStateException("backup is incomplete: " + path + " is missing");
            }
            final String expected = file.getValue();
            final String actual = Files.size(path) + ":" + sha256(path);
            if (!expected.equals(actual))
            {
                throw new IllegalStateException("backup is corrupt: " + path + " does not match its checksum in " +
                    FILE_NAME + " (expected size:sha256 " + expected + ", found " + actual + "); nothing was restored");
            }
        }
    }

    /**
     * @param backupDir where to write {@value #FILE_NAME}.
     * @throws IOException if it cannot be written.
     */
    public void write(final Path backupDir) throws IOException
    {
        final Properties properties = new Properties();
        properties.setProperty("format", Integer.toString(FORMAT));
        properties.setProperty("cluster", cluster);
        properties.setProperty("chain.id", Integer.toString(chainId));
        properties.setProperty("seq", Long.toString(seq));
        properties.setProperty(TOMBSTONE_HORIZON, Long.toString(tombstoneHorizon));
        properties.setProperty("entries", Long.toString(entries));
        properties.setProperty("digest", Long.toString(digest));
        properties.setProperty("store.maxEntries", Long.toString(limits.maxEntries()));
        properties.setProperty("store.maxDataBytes", Long.toString(limits.maxDataBytes()));
        properties.setProperty("store.maxKeyLength", Integer.toString(limits.maxKeyLength()));
        properties.setProperty("store.maxValueLength", Integer.toString(limits.maxValueLength()));
        properties.setProperty("store.averageKeyLength", Integer.toString(limits.averageKeyLength()));
        properties.setProperty("store.averageValueLength", Integer.toString(limits.averageValueLength()));
        properties.setProperty("store.maxClients", Integer.toString(limits.maxClients()));
        for (final Map.Entry<String, String> file : files.entrySet())
        {
            properties.setProperty(FILE_PREFIX + file.getKey(), file.getValue());
        }
        final Path tmp = backupDir.resolve(FILE_NAME + ".tmp");
        try (Writer writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))
        {
            properties.store(writer, "ChainKV backup: the committed state of chain " + chainId + " of cluster " +
                cluster + " at seq " + seq);
        }
        // The manifest appears whole or not at all: a backup without one is recognisably unfinished.
        Files.move(tmp, backupDir.resolve(FILE_NAME), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * @param backupDir a backup directory.
     * @return its manifest.
     * @throws IllegalStateException if the manifest is missing or not one this version reads.
     * @throws IOException           if it cannot be read.
     */
    public static BackupManifest read(final Path backupDir) throws IOException
    {
        final Path file = backupDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file))
        {
            throw new IllegalStateException(backupDir + " is not a ChainKV backup (no " + FILE_NAME +
                "; an interrupted backup leaves none)");
        }
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        try
        {
            if (FORMAT != Integer.parseInt(properties.getProperty("format", "0")))
            {
                throw new IllegalStateException(file + " has format " + properties.getProperty("format") +
                    "; this version reads format " + FORMAT);
            }
            final StoreConfig limits = new StoreConfig()
                .maxEntries(Long.parseLong(properties.getProperty("store.maxEntries")))
                .maxDataBytes(Long.parseLong(properties.getProperty("store.maxDataBytes")))
                .maxKeyLength(Integer.parseInt(properties.getProperty("store.maxKeyLength")))
                .maxValueLength(Integer.parseInt(properties.getProperty("store.maxValueLength")))
                .averageKeyLength(Integer.parseInt(properties.getProperty("store.averageKeyLength")))
                .averageValueLength(Integer.parseInt(properties.getProperty("store.averageValueLength")))
                .maxClients(Integer.parseInt(properties.getProperty("store.maxClients")));
            final Map<String, String> files = new LinkedHashMap<>();
            for (final String name : properties.stringPropertyNames().stream().sorted().toList())
            {
                if (name.startsWith(FILE_PREFIX))
                {
                    files.put(name.substring(FILE_PREFIX.length()), properties.getProperty(name));
                }
            }
            final long seq = Long.parseLong(properties.getProperty("seq"));
            return new BackupManifest(
                properties.getProperty("cluster"),
                Integer.parseInt(properties.getProperty("chain.id")),
                seq,
                Long.parseLong(properties.getProperty(TOMBSTONE_HORIZON, Long.toString(seq))),
                Long.parseLong(properties.getProperty("entries")),
                Long.parseLong(properties.getProperty("digest")),
                limits,
                files);
        }
        catch (final NumberFormatException | NullPointerException ex)
        {
            throw new IllegalStateException(file + " is damaged: a field is missing or not a number (" + ex + ")", ex);
        }
    }

    private static String sha256(final Path file) throws IOException
    {
        try (InputStream in = Files.newInputStream(file))
        {
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            final byte[] buffer = new byte[1 << 16];
            for (int read; (read = in.read(buffer)) > 0; )
            {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }

    public String toString()
    {
        return "backup of cluster " + cluster + " chain " + chainId + " at seq " + seq + " (" + entries + " entries)";
    }
}
