package io.chainkv.transport;

import io.aeron.ChannelUri;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;

/**
 * Builds and checks the Aeron channels ChainKV uses: unicast UDP to a host:port.
 */
public final class Channels
{
    private Channels()
    {
    }

    /**
     * @param endpoint host:port to send to or bind.
     * @param settings term length and MTU to use.
     * @return a UDP channel for that endpoint.
     */
    public static String udp(final String endpoint, final TransportSettings settings)
    {
        return new ChannelUriStringBuilder()
            .media(CommonContext.UDP_MEDIA)
            .endpoint(endpoint)
            .termLength(settings.termLength())
            .mtu(settings.mtu())
            .build();
    }

    /**
     * Extracts the endpoint of a reply channel a peer sent us, accepting only plain unicast UDP, so a
     * hostile request cannot make a node publish to IPC, multicast or an interface of its choosing.
     *
     * @param channel the channel text from a request.
     * @return host:port, or null if the channel is not an {@code aeron:udp?endpoint=host:port} channel.
     */
    public static String replyEndpointOrNull(final String channel)
    {
        try
        {
            final ChannelUri uri = ChannelUri.parse(channel);
            if (!CommonContext.UDP_MEDIA.equals(uri.media()))
            {
                return null;
            }
            final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
            if (null == endpoint || uri.containsKey(CommonContext.MDC_CONTROL_PARAM_NAME))
            {
                return null;
            }
            final int colon = endpoint.lastIndexOf(':');
            if (colon <= 0 || colon == endpoint.length() - 1)
            {
                return null;
            }
            final int port = Integer.parseInt(endpoint.substring(colon + 1));
            return port > 0 && port < 65536 ? endpoint : null;
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }
}
