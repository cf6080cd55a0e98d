package io.chainkv.protocol;

import io.chainkv.protocol.codecs.ClientResponseDecoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.ReadMode;
import io.chainkv.protocol.codecs.Status;
import io.chainkv.protocol.codecs.UpdateDecoder;
import io.chainkv.protocol.codecs.UpdateKind;

import java.util.Arrays;

/**
 * Reads the enum fields of a frame without throwing. The generated getters ({@code OpType.get} and the like) throw
 * on a value the schema does not know, and {@link ProtocolFrames#validate} does not look at enum values, so a peer
 * (hostile, corrupt, or of a newer schema) could otherwise throw out of a receiver's duty cycle. Here an unknown
 * value is {@code NULL_VAL}, which the receiver drops and counts (docs/protocol.md, "Frame validation").
 * <p>
 * Lookups index a table built once: no allocation, no search, safe on the replication agent's thread.
 */
public final class ProtocolEnums
{
    // Every enum is a uint8 on the wire, so a raw value indexes a 256-entry table.
    private static final int RAW_VALUES = 256;
    private static final OpType[] OPS = new OpType[RAW_VALUES];
    private static final ReadMode[] READ_MODES = new ReadMode[RAW_VALUES];
    private static final Status[] STATUSES = new Status[RAW_VALUES];
    private static final UpdateKind[] KINDS = new UpdateKind[RAW_VALUES];

    static
    {
        Arrays.fill(OPS, OpType.NULL_VAL);
        for (final OpType op : OpType.values())
        {
            OPS[op.value()] = op;
        }
        Arrays.fill(READ_MODES, ReadMode.NULL_VAL);
        for (final ReadMode mode : ReadMode.values())
        {
            READ_MODES[mode.value()] = mode;
        }
        Arrays.fill(STATUSES, Status.NULL_VAL);
        for (final Status status : Status.values())
        {
            STATUSES[status.value()] = status;
        }
        Arrays.fill(KINDS, UpdateKind.NULL_VAL);
        for (final UpdateKind kind : UpdateKind.values())
        {
            KINDS[kind.value()] = kind;
        }
    }

    private ProtocolEnums()
    {
    }

    /**
     * @param raw the field as the frame holds it.
     * @return the operation, or {@link OpType#NULL_VAL} for a value the schema does not know.
     */
    public static OpType opOf(final short raw)
    {
        return raw >= 0 && raw < RAW_VALUES ? OPS[raw] : OpType.NULL_VAL;
    }

    /**
     * @param raw the field as the frame holds it.
     * @return the read mode, or {@link ReadMode#NULL_VAL} for a value the schema does not know.
     */
    public static ReadMode readModeOf(final short raw)
    {
        return raw >= 0 && raw < RAW_VALUES ? READ_MODES[raw] : ReadMode.NULL_VAL;
    }

    /**
     * @param raw the field as the frame holds it.
     * @return the status, or {@link Status#NULL_VAL} for a value the schema does not know.
     */
    public static Status statusOf(final short raw)
    {
        return raw >= 0 && raw < RAW_VALUES ? STATUSES[raw] : Status.NULL_VAL;
    }

    /**
     * @param raw the field as the frame holds it.
     * @return the update kind, or {@link UpdateKind#NULL_VAL} for a value the schema does not know.
     */
    public static UpdateKind kindOf(final short raw)
    {
        return raw >= 0 && raw < RAW_VALUES ? KINDS[raw] : UpdateKind.NULL_VAL;
    }

    /**
     * @param update a wrapped update.
     * @return true if its kind, operation and status are all values the schema knows (none is {@code NULL_VAL}).
     */
    public static boolean isKnown(final UpdateDecoder update)
    {
        return UpdateKind.NULL_VAL != kindOf(update.kindRaw()) && OpType.NULL_VAL != opOf(update.opRaw()) &&
            Status.NULL_VAL != statusOf(update.statusRaw());
    }

    /**
     * @param response a wrapped response.
     * @return true if its operation and status are both values the schema knows.
     */
    public static boolean isKnown(final ClientResponseDecoder response)
    {
        return OpType.NULL_VAL != opOf(response.opRaw()) && Status.NULL_VAL != statusOf(response.statusRaw());
    }
}
