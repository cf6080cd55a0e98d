package io.chainkv.node.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.chainkv.node.store.StoreTestSupport.put;
import static io.chainkv.node.store.StoreTestSupport.read;
import static io.chainkv.node.store.StoreTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which stores an open trusts (docs/store.md, "Which stores a node trusts"): one closed cleanly, in any boot; one not
 * closed cleanly only in the boot that last opened it, and only with all its files; any other is refused with the
 * reason, or set aside whole for an empty store.
 */
class StoreTrustTest extends StoreTestSupport.StoreFixture
{
    private static final BootId BOOT_A = BootId.of("0b0e4f1c-5a6d-4e4f-9f3a-1c2d3e4f5a6b");
    private static final BootId BOOT_B = BootId.of("7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f");

    private StoreConfig config(final BootId boot)
    {
        return smallConfig(dir).bootId(boot);
    }

    /**
     * A store with one write at seq 1, left as a process that died in boot A leaves it: metadata open, no marker.
     */
    private void storeLeftOpenInBootA() throws IOException
    {
        store = ChainStore.open(config(BOOT_A));
        put(store, "k", 1, "v");
        store.lastAppliedSeq(1);
        store.lastCommittedSeq(1);
        store.close();
        store = null;
        try (StoreMetadata metadata = StoreMetadata.open(dir.resolve(StoreMetadata.FILE_NAME).toFile(), config(BOOT_A)))
        {
            metadata.markOpen(BOOT_A);
        }
        Files.delete(dir.resolve(ChainStore.CLEAN_SHUTDOWN_FILE_NAME));
    }

    private void cleanStoreWithOneWrite()
    {
        store = ChainStore.open(config(BOOT_A));
        put(store, "k", 1, "v");
        store.lastAppliedSeq(1);
        store.close();
        store = null;
    }

    private int openState() throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir.resolve(StoreMetadata.FILE_NAME), StandardOpenOption.READ))
        {
            final ByteBuffer state = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(state, StoreMetadata.OPEN_STATE_OFFSET);
            return state.getInt(0);
        }
    }

    /**
     * Forces for real, and notes each path forced with the metadata's open state and whether the marker exists then.
     */
    private DiskSync recordingInto(final List<String> forced)
    {
        final Path marker = dir.resolve(ChainStore.CLEAN_SHUTDOWN_FILE_NAME);
        return (path) ->
        {
            forced.add((path.equals(dir) ? "directory" : path.getFileName().toString()) +
                " state=" + openState() + " marker=" + Files.exists(marker));
            DiskSync.FSYNC.force(path);
        };
    }

    @Test
    void storeWhoseEntriesMapIsMissingBesideItsMetadataIsRefusedAtOpenWithTheReason() throws IOException
    {
        cleanStoreWithOneWrite();
        Files.delete(dir.resolve(ChainStore.ENTRIES_FILE_NAME));

        final UntrustedStoreException ex = assertThrows(UntrustedStoreException.class,
            () -> ChainStore.open(config(BOOT_A)));

        assertTrue(ex.getMessage().contains("last applied seq 1") &&
            ex.getMessage().contains(ChainStore.ENTRIES_FILE_NAME + " is missing"), ex.getMessage());
        assertFalse(Files.exists(dir.resolve(ChainStore.ENTRIES_FILE_NAME)), "nothing was created in its place");
    }

    @Test
    void storeWhoseClientTableIsMissingBesideItsMetadataIsRefusedAtOpen() throws IOException
    {
        cleanStoreWithOneWrite();
        Files.delete(dir.resolve(ChainStore.CLIENTS_FILE_NAME));

        final UntrustedStoreException ex = assertThrows(UntrustedStoreException.class,
            () -> ChainStore.open(config(BOOT_A)));

        assertTrue(ex.getMessage().contains(ChainStore.CLIENTS_FILE_NAME + " is missing"), ex.getMessage());
    }

    @Test
    void storeWhoseMapsAreBothMissingBesideItsMetadataIsRefusedAtOpen() throws IOException
    {
        cleanStoreWithOneWrite();
        Files.delete(dir.resolve(ChainStore.ENTRIES_FILE_NAME));
        Files.delete(dir.resolve(ChainStore.CLIENTS_FILE_NAME));

        assertThrows(UntrustedStoreException.class, () -> ChainStore.open(config(BOOT_A)));
    }

    @Test
    void storeNotClosedCleanlyInAnotherBootIsRefusedAtOpenWithTheReason() throws IOException
    {
        storeLeftOpenInBootA();

        final UntrustedStoreException ex = assertThrows(UntrustedStoreException.class,
            () -> ChainStore.open(config(BOOT_B)));

        assertTrue(ex.getMessage().contains("was not closed cleanly") && ex.getMessage().contains(BOOT_A.toString()) &&
            ex.getMessage().contains(BOOT_B.toString()), ex.getMessage());
    }

    @Test
    void storeNotClosedCleanlyInThisBootIsTrustedAndRecovered() throws IOException
    {
        storeLeftOpenInBootA();

        store = ChainStore.open(config(BOOT_A));

        assertTrue(store.recoveredFromUncleanShutdown());
        assertTrue(read(store, "k", value));
        assertEquals(1, store.lastAppliedSeq());
    }

    @Test
    void storeNotClosedCleanlyIsRefusedWhenTheBootCannotBeNamed() throws IOException
    {
        storeLeftOpenInBootA();

        assertThrows(UntrustedStoreException.class, () -> ChainStore.open(config(BootId.UNKNOWN)));
    }

    @Test
    void storeClosedCleanlyIsTrustedInAnotherBoot() throws IOException
    {
        cleanStoreWithOneWrite();

        store = ChainStore.open(config(BOOT_B));

        assertFalse(store.recoveredFromUncleanShutdown());
        assertTrue(read(store, "k", value));
    }

    @Test
    void markerBesideMetadataThatSaysOpenDoesNotMakeAStoreClean() throws IOException
    {
        // The marker's removal at open may not have reached the disk (the directory sync is best effort); the page
        // saying "open" was forced, so it decides.
        storeLeftOpenInBootA();
        Files.write(dir.resolve(ChainStore.CLEAN_SHUTDOWN_FILE_NAME), new byte[0]);

        assertThrows(UntrustedStoreException.class, () -> ChainStore.open(config(BOOT_B)));
    }

    @Test
    void storeNotClosedCleanlyInAnotherBootIsTrustedForOneOpenWhenTheOperatorSaysSo() throws IOException
    {
        storeLeftOpenInBootA();
        final Path trust = dir.resolve(ChainStore.OPERATOR_TRUST_FILE_NAME);
        Files.write(trust, new byte[0]);

        store = ChainStore.open(config(BOOT_B));

        assertTrue(store.recoveredFromUncleanShutdown());
        assertTrue(read(store, "k", value));
        assertFalse(Files.exists(trust), "the operator's word counts for one open only");
    }

    @Test
    void operatorCannotMakeAStoreMissingAMapTrusted() throws IOException
    {
        cleanStoreWithOneWrite();
        Files.delete(dir.resolve(ChainStore.ENTRIES_FILE_NAME));
        Files.write(dir.resolve(ChainStore.OPERATOR_TRUST_FILE_NAME), new byte[0]);

        assertThrows(UntrustedStoreException.class, () -> ChainStore.open(config(BOOT_A)));
    }

    @Test
    void storeNotClosedCleanlyWithoutItsIntentLogIsRefusedAtOpen() throws IOException
    {
        storeLeftOpenInBootA();
        Files.delete(dir.resolve(IntentLog.FILE_NAME));

        final UntrustedStoreException ex = assertThrows(UntrustedStoreException.class,
            () -> ChainStore.open(config(BOOT_A)));

        assertTrue(ex.getMessage().contains(IntentLog.FILE_NAME + " is missing"), ex.getMessage());
    }

    @Test
    void untrustedStoreIsSetAsideWholeAndAnEmptyStoreOpensInItsPlace() throws IOException
    {
        storeLeftOpenInBootA();

        store = ChainStore.openSettingAsideUntrusted(config(BOOT_B));

        assertEquals(0, store.entryCount());
        assertEquals(0, store.lastAppliedSeq());
        assertEquals(0, store.lastCommittedSeq());
        final Path aside = store.setAsideTo();
        assertTrue(aside.getFileName().toString().startsWith(ChainStore.SET_ASIDE_PREFIX), aside.toString());
        assertEquals(dir, aside.getParent());
        for (final String name : List.of(ChainStore.ENTRIES_FILE_NAME, ChainStore.CLIENTS_FILE_NAME,
            StoreMetadata.FILE_NAME, IntentLog.FILE_NAME))
        {
            assertTrue(Files.exists(aside.resolve(name)), name + " was kept in " + aside);
        }
        store.close();
        store = null;
        // What was set aside is still the old store, whole: opened in its own boot it holds its write.
        try (ChainStore old = ChainStore.open(smallConfig(aside).bootId(BOOT_A)))
        {
            assertTrue(read(old, "k", value));
            assertEquals(1, old.lastAppliedSeq());
        }
    }

    @Test
    void trustedStoreIsNotSetAside()
    {
        cleanStoreWithOneWrite();

        store = ChainStore.openSettingAsideUntrusted(config(BOOT_B));

        assertNull(store.setAsideTo());
        assertTrue(read(store, "k", value));
        try (Stream<Path> files = Files.list(dir))
        {
            assertTrue(files.noneMatch((f) -> f.getFileName().toString().startsWith(ChainStore.SET_ASIDE_PREFIX)));
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @Test
    void cleanCloseForcesTheMapsBeforeRecordingTheCloseAndRecordsItBeforeWritingTheMarker()
    {
        final List<String> forced = new ArrayList<>();
        store = ChainStore.open(config(BOOT_A).diskSync(recordingInto(forced)));
        put(store, "k", 1, "v");
        forced.clear();

        store.close();

        final int open = StoreMetadata.OPEN;
        final int closed = StoreMetadata.CLOSED;
        assertEquals(List.of(
            ChainStore.ENTRIES_FILE_NAME + " state=" + open + " marker=false",
            ChainStore.CLIENTS_FILE_NAME + " state=" + open + " marker=false",
            IntentLog.FILE_NAME + " state=" + open + " marker=false",
            StoreMetadata.FILE_NAME + " state=" + closed + " marker=false",
            "directory state=" + closed + " marker=true"), forced);
    }

    @Test
    void openRecordsThatTheStoreIsOpenByTheTimeTheMarkerIsGone()
    {
        cleanStoreWithOneWrite();
        final List<String> forced = new ArrayList<>();

        store = ChainStore.open(config(BOOT_A).diskSync(recordingInto(forced)));

        assertEquals(List.of("directory state=" + StoreMetadata.OPEN + " marker=false"), forced);
    }
}
