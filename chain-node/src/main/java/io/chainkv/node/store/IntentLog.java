package io.chainkv.node.store;

import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;

/**
 * Redo record of the one write in progress, in a memory-mapped file, so kill -9 in the middle of a write loses
 * nothing that was stored before it.
 * <p>
 * Why: Chronicle Map overwrites an entry in place (or moves it), and its recovery drops an entry whose checksum does
 * not match. A process killed while replacing a key's value therefore loses the key altogether, including the
 * value it held before, which may have been acknowledged long ago. So every write is first laid out here (the key
 * and the stored value are built directly in this file, which also serves as the scratch memory Chronicle reads
 * them from, so it costs no extra copy), marked pending with an ordered store, applied to the map, and marked done.
 * Recovery re-applies a pending write: the key then holds the interrupted write, which the head had sequenced and
 * which replay would deliver again, so redoing it is idempotent. The same holds for the client table's record and for
 * the end of a client session (its slots freed), both redone from the fields kept here.
 * <p>
 * Layout: a 64-byte header (entry state, key length, stored value length; client-record state and fields), then
 * {@code maxKeyLength} bytes of key, then the stored value (version, flags, up to {@code maxValueLength} bytes).
 */
final class IntentLog implements AutoCloseable
{
    static final String FILE_NAME = "intent.log";

    private static final int IDLE = 0;
    private static final int PENDING = 1;
    // A session's end (its directory entry and region freed) in progress; redone from the client id alone.
    private static final int SESSION_END_PENDING = 2;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private static final int ENTRY_STATE_OFFSET = 0;
    private static final int KEY_LENGTH_OFFSET = 4;
    private static final int STORED_VALUE_LENGTH_OFFSET = 8;
    private static final int CLIENT_STATE_OFFSET = 16;
    private static final int CLIENT_ID_OFFSET = 24;
    private static final int REQUEST_SEQ_OFFSET = 32;
    private static final int VERSION_OFFSET = 40;
    private static final int STATUS_OFFSET = 48;
    private static final int HEADER_LENGTH = 64;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final NativeScratch key;
    private final NativeScratch storedValue;

    IntentLog(final File file, final int maxKeyLength, final int maxStoredValueLength)
    {
        final long length = (long)HEADER_LENGTH + maxKeyLength + maxStoredValueLength;
        if (file.exists() && file.length() != length)
        {
            throw new IllegalStateException(file + " is " + file.length() + " bytes, expected " + length +
                " for these limits: move the data directory aside and let the node rejoin");
        }
        mapped = file.exists() ? IoUtil.mapExistingFile(file, "store intent log") : IoUtil.mapNewFile(file, length, false);
        final long address = BufferUtil.address(mapped);
        header = new UnsafeBuffer(address, HEADER_LENGTH);
        key = NativeScratch.wrap(address + HEADER_LENGTH, maxKeyLength);
        storedValue = NativeScratch.wrap(address + HEADER_LENGTH + maxKeyLength, maxStoredValueLength);
    }

    NativeScratch key()
    {
        return key;
    }

    NativeScratch storedValue()
    {
        return storedValue;
    }

    /**
     * Marks the key and stored value now in this log as the write in progress.
     */
    void beginEntryWrite(final int keyLength, final int storedValueLength)
    {
        header.putInt(KEY_LENGTH_OFFSET, keyLength, ORDER);
        header.putInt(STORED_VALUE_LENGTH_OFFSET, storedValueLength, ORDER);
        // Ordered: a kill must never find the state pending with the payload incomplete.
        header.putIntOrdered(ENTRY_STATE_OFFSET, PENDING);
    }

    void endEntryWrite()
    {
        header.putIntOrdered(ENTRY_STATE_OFFSET, IDLE);
    }

    boolean entryWritePending()
    {
        return header.getIntVolatile(ENTRY_STATE_OFFSET) == PENDING;
    }

    int keyLength()
    {
        return header.getInt(KEY_LENGTH_OFFSET, ORDER);
    }

    int storedValueLength()
    {
        return header.getInt(STORED_VALUE_LENGTH_OFFSET, ORDER);
    }

    void beginClientRecord(final long clientId, final long requestSeq, final byte status, final long version)
    {
        header.putLong(CLIENT_ID_OFFSET, clientId, ORDER);
        header.putLong(REQUEST_SEQ_OFFSET, requestSeq, ORDER);
        header.putLong(VERSION_OFFSET, version, ORDER);
        header.putByte(STATUS_OFFSET, status);
        header.putIntOrdered(CLIENT_STATE_OFFSET, PENDING);
    }

    void beginSessionEnd(final long clientId)
    {
        header.putLong(CLIENT_ID_OFFSET, clientId, ORDER);
        header.putIntOrdered(CLIENT_STATE_OFFSET, SESSION_END_PENDING);
    }

    boolean sessionEndPending()
    {
        return header.getIntVolatile(CLIENT_STATE_OFFSET) == SESSION_END_PENDING;
    }

    void endClientRecord()
    {
        header.putIntOrdered(CLIENT_STATE_OFFSET, IDLE);
    }

    boolean clientRecordPending()
    {
        return header.getIntVolatile(CLIENT_STATE_OFFSET) != IDLE;
    }

    long clientId()
    {
        return header.getLong(CLIENT_ID_OFFSET, ORDER);
    }

    long requestSeq()
    {
        return header.getLong(REQUEST_SEQ_OFFSET, ORDER);
    }

    long version()
    {
        return header.getLong(VERSION_OFFSET, ORDER);
    }

    byte status()
    {
        return header.getByte(STATUS_OFFSET);
    }

    void force()
    {
        mapped.force();
    }

    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
