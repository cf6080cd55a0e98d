package io.chainkv.node.replication;

import io.chainkv.protocol.ProtocolEnums;
import io.chainkv.protocol.codecs.ClientRequestDecoder;
import io.chainkv.protocol.codecs.OpType;
import io.chainkv.protocol.codecs.UpdateDecoder;
import org.agrona.DirectBuffer;

/**
 * Where the parts of the message being handled sit in its buffer: who asked (client, request, reply
 * endpoint) and the key and value. Lets the agent pass a request on, or answer it, without copying or
 * decoding it twice. Reused for every message; valid only while that message's buffer is.
 */
final class RequestView
{
    DirectBuffer buffer;
    long clientId;
    long requestSeq;
    OpType op;
    int replyStreamId;
    int keyOffset;
    int keyLength;
    int valueOffset;
    int valueLength;
    int channelOffset;
    int channelLength;
    // Writes: the client has had no write of this session answered yet, so this one may open the session.
    boolean opensSession;

    /**
     * Reads the variable-length fields of a request; the decoder's fixed fields must have been read already.
     */
    RequestView wrap(final DirectBuffer buffer, final ClientRequestDecoder request)
    {
        this.buffer = buffer;
        clientId = request.clientId();
        requestSeq = request.requestSeq();
        // An unknown value is NULL_VAL (the generated getter would throw): the agent answers MALFORMED.
        op = ProtocolEnums.opOf(request.opRaw());
        // A version 1 client sends no such field (the decoder answers 255): it may always open, as before sessions.
        opensSession = 0 != request.opensSession();
        replyStreamId = request.replyStreamId();
        keyOffset = request.limit() + ClientRequestDecoder.keyHeaderLength();
        keyLength = request.keyLength();
        request.skipKey();
        valueOffset = request.limit() + ClientRequestDecoder.valueHeaderLength();
        valueLength = request.valueLength();
        request.skipValue();
        channelOffset = request.limit() + ClientRequestDecoder.replyChannelHeaderLength();
        channelLength = request.replyChannelLength();
        return this;
    }

    /**
     * Points the view at no message: a request the head makes up itself (a session's end), with no key, value or
     * reply channel.
     */
    RequestView wrapSessionEnd(final DirectBuffer empty, final long clientId)
    {
        this.buffer = empty;
        this.clientId = clientId;
        requestSeq = 0;
        op = OpType.SESSION_CLOSE;
        opensSession = false;
        replyStreamId = 0;
        keyOffset = 0;
        keyLength = 0;
        valueOffset = 0;
        valueLength = 0;
        channelOffset = 0;
        channelLength = 0;
        return this;
    }

    /**
     * Reads who asked for an update and its key and value; the decoder's other fixed fields stay readable.
     */
    RequestView wrap(final DirectBuffer buffer, final UpdateDecoder update)
    {
        this.buffer = buffer;
        clientId = update.clientId();
        requestSeq = update.requestSeq();
        op = ProtocolEnums.opOf(update.opRaw());
        opensSession = false;
        replyStreamId = update.replyStreamId();
        keyOffset = update.limit() + UpdateDecoder.keyHeaderLength();
        keyLength = update.keyLength();
        update.skipKey();
        valueOffset = update.limit() + UpdateDecoder.valueHeaderLength();
        valueLength = update.valueLength();
        update.skipValue();
        channelOffset = update.limit() + UpdateDecoder.replyChannelHeaderLength();
        channelLength = update.replyChannelLength();
        return this;
    }
}
