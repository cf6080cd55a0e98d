package io.chainkv.cluster;

import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The configuration of a whole cluster: an epoch and the chains, each with its members from head to tail.
 * <p>
 * The cluster epoch strictly increases with every change the master writes. Each chain also carries its own
 * epoch: the cluster epoch at which that chain last changed. A change to one chain so gives that chain a new,
 * strictly larger epoch without disturbing chains that did not change, and a chain's epoch is never larger than
 * the cluster's. Immutable.
 */
public final class ClusterConfig
{
    private final String clusterName;
    private final long epoch;
    private final List<ChainConfig> chains;

    /**
     * @param clusterName name of the cluster; every chain must belong to it.
     * @param epoch       cluster epoch, at least 1.
     * @param chains      chains with unique ids, each with an epoch no larger than {@code epoch}.
     */
    public ClusterConfig(final String clusterName, final long epoch, final List<ChainConfig> chains)
    {
        if (null == clusterName || clusterName.isBlank())
        {
            throw new IllegalArgumentException("cluster name must not be empty");
        }
        if (epoch < 1)
        {
            throw new IllegalArgumentException("cluster epoch must be >= 1, was " + epoch);
        }
        final Set<Integer> ids = new LinkedHashSet<>();
        for (final ChainConfig chain : chains)
        {
            if (!chain.clusterName().equals(clusterName))
            {
                throw new IllegalArgumentException("chain " + chain.chainId() + " belongs to cluster " +
                    chain.clusterName() + ", not " + clusterName);
            }
            if (!ids.add(chain.chainId()))
            {
                throw new IllegalArgumentException("chain id " + chain.chainId() + " appears twice");
            }
            if (chain.epoch() > epoch)
            {
                throw new IllegalArgumentException("chain " + chain.chainId() + " has epoch " + chain.epoch() +
                    ", above the cluster epoch " + epoch);
            }
        }
        final Set<String> placed = new LinkedHashSet<>();
        for (final ChainConfig chain : chains)
        {
            for (final ChainMember member : chain.members())
            {
                placed.add(member.nodeId());
            }
        }
        for (final ChainConfig chain : chains)
        {
            if (null != chain.joiner() && !placed.add(chain.joiner().nodeId()))
            {
                throw new IllegalArgumentException("node " + chain.joiner().nodeId() + " joins chain " +
                    chain.chainId() + " but already has a place in the cluster");
            }
        }
        this.clusterName = clusterName;
        this.epoch = epoch;
        this.chains = Collections.unmodifiableList(new ArrayList<>(chains));
    }

    public String clusterName()
    {
        return clusterName;
    }

    public long epoch()
    {
        return epoch;
    }

    /**
     * @return the chains in the order they were given (by convention, ascending chain id).
     */
    public List<ChainConfig> chains()
    {
        return chains;
    }

    /**
     * @param chainId a chain id.
     * @return that chain, or null if the cluster has no such chain.
     */
    public ChainConfig chain(final int chainId)
    {
        for (final ChainConfig chain : chains)
        {
            if (chain.chainId() == chainId)
            {
                return chain;
            }
        }
        return null;
    }

    /**
     * @return ids of every node that is a member of some chain, in chain then head-to-tail order.
     */
    public Set<String> memberIds()
    {
        final Set<String> ids = new LinkedHashSet<>();
        for (final ChainConfig chain : chains)
        {
            for (final ChainMember member : chain.members())
            {
                ids.add(member.nodeId());
            }
        }
        return ids;
    }

    public boolean equals(final Object o)
    {
        if (!(o instanceof ClusterConfig))
        {
            return false;
        }
        final ClusterConfig that = (ClusterConfig)o;
        if (epoch != that.epoch || !clusterName.equals(that.clusterName) || chains.size() != that.chains.size())
        {
            return false;
        }
        for (int i = 0; i < chains.size(); i++)
        {
            final ChainConfig a = chains.get(i);
            final ChainConfig b = that.chains.get(i);
            if (a.chainId() != b.chainId() || a.epoch() != b.epoch() || !a.members().equals(b.members()) ||
                !Objects.equals(a.joiner(), b.joiner()) || !a.leaving().equals(b.leaving()) ||
                a.tailProvisional() != b.tailProvisional())
            {
                return false;
            }
        }
        return true;
    }

    public int hashCode()
    {
        return Objects.hash(clusterName, epoch, chains.size());
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("cluster=").append(clusterName).append(" epoch=").append(epoch);
        for (final ChainConfig chain : chains)
        {
            sb.append(" chain ").append(chain.chainId()).append("@").append(chain.epoch()).append("=")
                .append(chain.members());
            if (null != chain.joiner())
            {
                sb.append("+joiner ").append(chain.joiner());
            }
        }
        return sb.toString();
    }
}
