package io.chainkv.node.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Forces a file, or a directory's entries, to the storage device. One seam, so a test can see in which order a clean
 * close makes the store's files durable (the maps before the metadata that says "closed", both before the marker).
 */
interface DiskSync
{
    /**
     * fsync: on Linux it also writes back the pages of a file written through a mapping, unmapped or not.
     */
    DiskSync FSYNC = (path) ->
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    };

    /**
     * @param path a file, or a directory (to make the creation or removal of its entries durable).
     * @throws IOException if the file cannot be forced; a directory that cannot be is the caller's to forgive.
     */
    void force(Path path) throws IOException;

    /**
     * Forces a file that may not exist (a store of an older version has no such file).
     */
    default void forceIfExists(final Path path) throws IOException
    {
        if (Files.exists(path))
        {
            force(path);
        }
    }
}
