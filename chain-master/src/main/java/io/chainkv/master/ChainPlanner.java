package io.chainkv.master;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.NodeState;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.zk.RegisteredNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The master's reconfiguration policy as a pure function: from the current configuration and the live nodes,
 * the next configuration.
 * <ul>
 *     <li><b>Bootstrap:</b> with no configuration yet, once {@code replicationFactor} nodes are registered, one
 *     chain (id 0) at epoch 1 of the earliest registered ones, in registration order.</li>
 *     <li><b>Splice:</b> members that are no longer registered leave their chain; the survivors keep their order,
 *     so a dead head's successor becomes head and a dead tail's predecessor becomes tail.</li>
 *     <li><b>Last member:</b> a chain whose members are all gone is kept as it is and reported unavailable; its
 *     members hold every acknowledged write, so the chain must wait for one of them, never be emptied.</li>
 *     <li><b>Spares</b> (live, not in a chain, not draining) are appended at the tail of a chain shorter than
 *     the replication factor only when enabled: a joiner needs state transfer from the tail, which the node
 *     does not implement yet, so the default is off.</li>
 * </ul>
 * Every change yields one new configuration with the cluster epoch plus one; each changed chain takes that epoch.
 */
public final class ChainPlanner
{
    /** Chain id given to the chain created at bootstrap. */
    public static final int FIRST_CHAIN_ID = 0;

    private static final Comparator<RegisteredNode> REGISTRATION_ORDER =
        Comparator.comparingLong(RegisteredNode::registrationZxid).thenComparing(RegisteredNode::nodeId);

    private final int replicationFactor;
    private final boolean addSpares;

    /**
     * @param replicationFactor target chain length, at least 1.
     * @param addSpares         true to append spares to short chains (needs state transfer; see class doc).
     */
    public ChainPlanner(final int replicationFactor, final boolean addSpares)
    {
        if (replicationFactor < 1)
        {
            throw new IllegalArgumentException("replication factor must be >= 1, was " + replicationFactor);
        }
        this.replicationFactor = replicationFactor;
        this.addSpares = addSpares;
    }

    public int replicationFactor()
    {
        return replicationFactor;
    }

    /**
     * @param clusterName name of the cluster.
     * @param current     configuration in ZooKeeper, or null if none yet.
     * @param liveNodes   nodes currently registered.
     * @return the next configuration, if any, and remarks.
     */
    public Plan plan(final String clusterName, final ClusterConfig current, final Collection<RegisteredNode> liveNodes)
    {
        final Map<String, RegisteredNode> live = new TreeMap<>();
        for (final RegisteredNode node : liveNodes)
        {
            live.put(node.nodeId(), node);
        }
        return null == current ? bootstrap(clusterName, live) : reconfigure(current, live);
    }

    private Plan bootstrap(final String clusterName, final Map<String, RegisteredNode> live)
    {
        final List<RegisteredNode> candidates = eligible(live.values(), Set.of());
        if (candidates.size() < replicationFactor)
        {
            return new Plan(null, List.of("no config yet: waiting for " + (replicationFactor - candidates.size()) +
                " more node(s) to register (" + candidates.size() + " of " + replicationFactor + ")"));
        }
        final List<ChainMember> members = new ArrayList<>(replicationFactor);
        for (final RegisteredNode node : candidates.subList(0, replicationFactor))
        {
            members.add(node.info().toMember());
        }
        final ChainConfig chain = new ChainConfig(clusterName, FIRST_CHAIN_ID, 1, members);
        return new Plan(new ClusterConfig(clusterName, 1, List.of(chain)), List.of("bootstrap"));
    }

    private Plan reconfigure(final ClusterConfig current, final Map<String, RegisteredNode> live)
    {
        final long nextEpoch = current.epoch() + 1;
        final List<String> notes = new ArrayList<>();
        final List<ChainConfig> chains = new ArrayList<>(current.chains().size());
        final Set<Integer> unavailable = new HashSet<>();
        boolean changed = false;

        for (final ChainConfig chain : current.chains())
        {
            final List<ChainMember> survivors = new ArrayList<>(chain.members().size());
            final List<String> gone = new ArrayList<>();
            for (final ChainMember member : chain.members())
            {
                if (live.containsKey(member.nodeId()))
                {
                    survivors.add(member);
                }
                else
                {
                    gone.add(member.nodeId());
                }
            }
            if (survivors.isEmpty())
            {
                // Every member holds all acknowledged writes: removing the last would lose them. Wait for one.
                unavailable.add(chain.chainId());
                notes.add("chain " + chain.chainId() + " is unavailable: no member of " + chain.members() +
                    " is registered; kept unchanged until one comes back");
                chains.add(chain);
            }
            else if (!gone.isEmpty())
            {
                notes.add("chain " + chain.chainId() + ": splicing out " + gone);
                chains.add(new ChainConfig(chain.clusterName(), chain.chainId(), nextEpoch, survivors));
                changed = true;
            }
            else
            {
                chains.add(chain);
            }
        }

        if (addSpares)
        {
            // TODO(join): a spare must receive the tail's state before it serves; until the node implements state
            // transfer this is off by default.
            changed |= appendSpares(chains, unavailable, live, nextEpoch, notes);
        }

        final ClusterConfig next = changed ? new ClusterConfig(current.clusterName(), nextEpoch, chains) : null;
        return new Plan(next, notes);
    }

    private boolean appendSpares(
        final List<ChainConfig> chains,
        final Set<Integer> unavailable,
        final Map<String, RegisteredNode> live,
        final long nextEpoch,
        final List<String> notes)
    {
        final Set<String> inChains = new HashSet<>();
        for (final ChainConfig chain : chains)
        {
            for (final ChainMember member : chain.members())
            {
                inChains.add(member.nodeId());
            }
        }
        final List<RegisteredNode> spares = eligible(live.values(), inChains);
        boolean changed = false;
        for (int i = 0; i < chains.size() && !spares.isEmpty(); i++)
        {
            final ChainConfig chain = chains.get(i);
            if (unavailable.contains(chain.chainId()) || chain.members().size() >= replicationFactor)
            {
                continue;
            }
            final List<ChainMember> members = new ArrayList<>(chain.members());
            final List<String> added = new ArrayList<>();
            while (members.size() < replicationFactor && !spares.isEmpty())
            {
                final RegisteredNode spare = spares.remove(0);
                members.add(spare.info().toMember());
                added.add(spare.nodeId());
            }
            notes.add("chain " + chain.chainId() + ": appending spare(s) " + added + " at the tail");
            chains.set(i, new ChainConfig(chain.clusterName(), chain.chainId(), nextEpoch, members));
            changed = true;
        }
        return changed;
    }

    private static List<RegisteredNode> eligible(final Collection<RegisteredNode> live, final Set<String> exclude)
    {
        final List<RegisteredNode> nodes = new ArrayList<>();
        for (final RegisteredNode node : live)
        {
            if (node.info().state() != NodeState.DRAINING && !exclude.contains(node.nodeId()))
            {
                nodes.add(node);
            }
        }
        nodes.sort(REGISTRATION_ORDER);
        return nodes;
    }
}
