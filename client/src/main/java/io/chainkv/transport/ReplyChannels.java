package io.chainkv.transport;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Checks the reply channel a request names before a node does anything with it, reading the bytes where they lie in
 * the frame (no allocation, no lookup: it runs on the replication agent's thread for every request).
 * <p>
 * A client's reply channel must be exactly {@code aeron:udp?endpoint=<IP literal>:<port>}, which is what
 * {@code ChainKvClient} sends. A host name is refused because resolving it is a DNS lookup, and with the node's
 * media driver invoked on the agent's thread that lookup would stall the data path for as long as a resolver wants;
 * a multicast, broadcast or unspecified address is refused so a request cannot make a node publish to a group or to
 * every host; any other parameter ({@code control}, {@code interface}, ...) is refused so a request cannot choose
 * how or from where the node sends (docs/protocol.md, "Reply channels").
 */
public final class ReplyChannels
{
    /** The only prefix a reply channel may have. */
    public static final String PREFIX = "aeron:udp?endpoint=";

    /** The channel is acceptable. */
    public static final int OK = 0;
    /** Not {@code aeron:udp?endpoint=...}, or has other parameters, or is too long. */
    public static final int NOT_PLAIN_UDP = 1;
    /** The host is not an IPv4 or bracketed IPv6 literal (a host name would need a DNS lookup). */
    public static final int NOT_IP_LITERAL = 2;
    /** The address is multicast, broadcast or unspecified. */
    public static final int NOT_UNICAST = 3;
    /** The port is missing or not 1 to 65535. */
    public static final int BAD_PORT = 4;

    /** Longest channel text accepted: the prefix, a full IPv6 literal in brackets and a port, with room to spare. */
    public static final int MAX_LENGTH = 96;

    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);

    private ReplyChannels()
    {
    }

    /**
     * @param buffer holding the channel text (US-ASCII).
     * @param offset of the text.
     * @param length of the text.
     * @return {@link #OK}, or the reason the channel is refused ({@link #reasonText} says it in words).
     */
    public static int checkClientChannel(final DirectBuffer buffer, final int offset, final int length)
    {
        final int endpointLength = endpointLength(buffer, offset, length);
        if (endpointLength < 0 || length > MAX_LENGTH || PREFIX_BYTES.length + endpointLength != length)
        {
            return NOT_PLAIN_UDP;
        }
        final int start = offset + PREFIX_BYTES.length;
        final int end = start + endpointLength;
        final int colon = lastIndexOf(buffer, start, end, ':');
        if (colon < 0 || !isPort(buffer, colon + 1, end))
        {
            return BAD_PORT;
        }
        if (buffer.getByte(start) == '[')
        {
            return colon - 1 > start && buffer.getByte(colon - 1) == ']' ? checkIpv6(buffer, start + 1, colon - 1) :
                NOT_IP_LITERAL;
        }
        return checkIpv4(buffer, start, colon);
    }

    /**
     * @param buffer holding the channel text.
     * @param offset of the text.
     * @param length of the text.
     * @return the length of the endpoint: what follows {@link #PREFIX} up to the next parameter or the end; -1 if the
     * channel does not start with the prefix.
     */
    public static int endpointLength(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < PREFIX_BYTES.length)
        {
            return -1;
        }
        for (int i = 0; i < PREFIX_BYTES.length; i++)
        {
            if (buffer.getByte(offset + i) != PREFIX_BYTES[i])
            {
                return -1;
            }
        }
        final int start = offset + PREFIX_BYTES.length;
        final int end = offset + length;
        int i = start;
        while (i < end && buffer.getByte(i) != '|')
        {
            i++;
        }
        return i - start;
    }

    /**
     * @param reason a value {@link #checkClientChannel} returned.
     * @return the reason in words, for a log line.
     */
    public static String reasonText(final int reason)
    {
        switch (reason)
        {
            case OK:
                return "acceptable";
            case NOT_PLAIN_UDP:
                return "not a plain " + PREFIX + "<address>:<port> channel";
            case NOT_IP_LITERAL:
                return "the host is not an IP address (host names are not resolved)";
            case NOT_UNICAST:
                return "the address is multicast, broadcast or unspecified";
            case BAD_PORT:
                return "the port is missing or out of range";
            default:
                return "refused (" + reason + ")";
        }
    }

    private static int checkIpv4(final DirectBuffer buffer, final int start, final int end)
    {
        int octets = 0;
        int value = -1;
        int first = 0;
        boolean allZero = true;
        boolean allOnes = true;
        for (int i = start; i <= end; i++)
        {
            final byte b = i < end ? buffer.getByte(i) : (byte)'.';
            if (b == '.')
            {
                if (value < 0 || octets == 4)
                {
                    return NOT_IP_LITERAL;
                }
                if (0 == octets)
                {
                    first = value;
                }
                allZero &= 0 == value;
                allOnes &= 255 == value;
                octets++;
                value = -1;
            }
            else if (b >= '0' && b <= '9')
            {
                if (0 == value)
                {
                    // A leading zero reads as octal to some parsers and is refused by others, which then resolve it.
                    return NOT_IP_LITERAL;
                }
                value = (value < 0 ? 0 : value * 10) + (b - '0');
                if (value > 255)
                {
                    return NOT_IP_LITERAL;
                }
            }
            else
            {
                return NOT_IP_LITERAL;
            }
        }
        if (4 != octets)
        {
            return NOT_IP_LITERAL;
        }
        // 224/4 is multicast; 0.0.0.0 and 255.255.255.255 would reach no one or everyone on the link.
        return first >= 224 && first <= 239 || allZero || allOnes ? NOT_UNICAST : OK;
    }

    private static int checkIpv6(final DirectBuffer buffer, final int start, final int end)
    {
        if (end - start < 2)
        {
            return NOT_IP_LITERAL;
        }
        int colons = 0;
        boolean allZero = true;
        for (int i = start; i < end; i++)
        {
            final byte b = buffer.getByte(i);
            if (b == ':')
            {
                colons++;
            }
            else if (isHex(b))
            {
                allZero &= b == '0';
            }
            else
            {
                // No zone ids ('%') and no embedded IPv4 ('.'): an IPv4-mapped address could name an IPv4 multicast
                // group, and Java turns it into an IPv4 address.
                return NOT_IP_LITERAL;
            }
        }
        if (colons < 2 || colons > 7)
        {
            return NOT_IP_LITERAL;
        }
        // ff00::/8 is multicast: a first group of four hex digits starting "ff".
        final boolean multicast = end - start >= 4 && isF(buffer.getByte(start)) && isF(buffer.getByte(start + 1)) &&
            isHex(buffer.getByte(start + 2)) && isHex(buffer.getByte(start + 3));
        return multicast || allZero ? NOT_UNICAST : OK;
    }

    private static boolean isPort(final DirectBuffer buffer, final int start, final int end)
    {
        if (end <= start || end - start > 5)
        {
            return false;
        }
        int port = 0;
        for (int i = start; i < end; i++)
        {
            final byte b = buffer.getByte(i);
            if (b < '0' || b > '9')
            {
                return false;
            }
            port = port * 10 + (b - '0');
        }
        return port > 0 && port < 65536;
    }

    private static int lastIndexOf(final DirectBuffer buffer, final int start, final int end, final char c)
    {
        for (int i = end - 1; i >= start; i--)
        {
            if (buffer.getByte(i) == c)
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean isHex(final byte b)
    {
        return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F';
    }

    private static boolean isF(final byte b)
    {
        return b == 'f' || b == 'F';
    }
}
