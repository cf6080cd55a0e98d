package io.chainkv.client;

import io.chainkv.config.ChainConfig;

import java.util.Objects;

/**
 * A {@link ChainConfigSource} that always returns the configuration it was built with, for a fixed chain
 * described in a file (see {@link ChainConfig#load}) until configuration comes from ZooKeeper.
 */
public final class StaticChainConfigSource implements ChainConfigSource
{
    private final ChainConfig config;

    /**
     * @param config the configuration to serve.
     */
    public StaticChainConfigSource(final ChainConfig config)
    {
        this.config = Objects.requireNonNull(config, "config");
    }

    public ChainConfig current()
    {
        return config;
    }

    public String toString()
    {
        return "StaticChainConfigSource{" + config + "}";
    }
}
