package io.chainkv.master.zk;

import io.chainkv.cluster.ClusterConfig;

/**
 * A {@link ClusterConfig} together with the version of the znode it was read from: the version a conditional
 * write must name to replace it.
 */
public final class VersionedConfig
{
    private final ClusterConfig config;
    private final int version;

    /**
     * @param config  the configuration.
     * @param version the config znode's data version it was read at or written as.
     */
    public VersionedConfig(final ClusterConfig config, final int version)
    {
        this.config = config;
        this.version = version;
    }

    public ClusterConfig config()
    {
        return config;
    }

    public int version()
    {
        return version;
    }

    public String toString()
    {
        return config + " (znode version " + version + ")";
    }
}
