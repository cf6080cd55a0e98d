package io.chainkv.protocol;

import io.chainkv.protocol.codecs.ClientResponseDecoder;
import io.chainkv.protocol.codecs.ClientResponseEncoder;
import io.chainkv.protocol.codecs.MessageHeaderDecoder;
import io.chainkv.protocol.codecs.MessageHeaderEncoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.ReadMode;
import io.chainkv.protocol.codecs.Status;
import io.chainkv.protocol.codecs.UpdateDecoder;
import io.chainkv.protocol.codecs.UpdateEncoder;
import io.chainkv.protocol.codecs.UpdateKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtocolEnumsTest
{
    @Test
    void everyKnownValueMapsToItsConstantAndEveryOtherToNullVal()
    {
        for (short raw = -1; raw <= 256; raw++)
        {
            assertEquals(known(OpType.values(), raw, OpType.NULL_VAL), ProtocolEnums.opOf(raw));
            assertEquals(known(ReadMode.values(), raw, ReadMode.NULL_VAL), ProtocolEnums.readModeOf(raw));
            assertEquals(known(Status.values(), raw, Status.NULL_VAL), ProtocolEnums.statusOf(raw));
            assertEquals(known(UpdateKind.values(), raw, UpdateKind.NULL_VAL), ProtocolEnums.kindOf(raw));
        }
    }

    @Test
    void anUpdateOrResponseWithAnUnknownKindOperationOrStatusIsNotKnown()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final UpdateEncoder update = new UpdateEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .kind(UpdateKind.PUT).op(OpType.PUT).status(Status.OK);
        final UpdateDecoder updateDecoder = new UpdateDecoder();
        assertTrue(ProtocolEnums.isKnown(updateDecoder.wrapAndApplyHeader(buffer, 0, header.wrap(buffer, 0))));
        for (final int field : new int[]{ UpdateEncoder.kindEncodingOffset(), UpdateEncoder.opEncodingOffset(),
            UpdateEncoder.statusEncodingOffset() })
        {
            update.kind(UpdateKind.PUT).op(OpType.PUT).status(Status.OK);
            buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + field, (byte)99);
            assertFalse(ProtocolEnums.isKnown(updateDecoder.wrapAndApplyHeader(buffer, 0, header.wrap(buffer, 0))));
        }

        new ClientResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder).op(OpType.GET).status(Status.OK);
        final ClientResponseDecoder response = new ClientResponseDecoder();
        assertTrue(ProtocolEnums.isKnown(response.wrapAndApplyHeader(buffer, 0, header.wrap(buffer, 0))));
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + ClientResponseEncoder.statusEncodingOffset(), (byte)200);
        assertFalse(ProtocolEnums.isKnown(response.wrapAndApplyHeader(buffer, 0, header.wrap(buffer, 0))));
    }

    private static <E extends Enum<E>> E known(final E[] values, final short raw, final E nullVal)
    {
        for (final E value : values)
        {
            if (value != nullVal && raw == valueOf(value))
            {
                return value;
            }
        }
        return nullVal;
    }

    private static short valueOf(final Enum<?> value)
    {
        if (value instanceof OpType)
        {
            return ((OpType)value).value();
        }
        if (value instanceof ReadMode)
        {
            return ((ReadMode)value).value();
        }
        if (value instanceof Status)
        {
            return ((Status)value).value();
        }
        return ((UpdateKind)value).value();
    }
}
