package io.chainkv.master;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeState;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.zk.RegisteredNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The master's reconfiguration policy as a pure function: from the current configuration and the live nodes,
 * the next configuration.
 * <ul>
 *     <li><b>Bootstrap:</b> with no configuration yet, once {@code replicationFactor} nodes are registered, one
 *     chain (id 0) at epoch 1 of the earliest registered ones, in registration order. If a registered node's
 *     store holds data (a restored backup, {@link NodeInfo#heldSeq()}), the chain starts with that node alone
 *     (the one holding the most) and the others join it by state transfer.</li>
 *     <li><b>Splice:</b> members that are no longer registered leave their chain; the survivors keep their order,
 *     so a dead head's successor becomes head and a dead tail's predecessor becomes tail. A place belongs to the
 *     incarnation it was given to ({@link ChainMember#incarnation()}): a member whose live registration is another
 *     incarnation (its process restarted, or lost its session, before its old registration was seen to go) is gone
 *     just the same, and so is a joiner. The new incarnation is a spare like any other (docs/design.md, "Node registrations").</li>
 *     <li><b>Last member:</b> a chain whose members are all gone is kept as it is and reported unavailable; its
 *     members hold every acknowledged write, so the chain must wait for one of them, never be emptied. A member whose
 *     process lost its session and registered again saying it resumes the recorded incarnation
 *     ({@link NodeInfo#resumes()}) is such a one: the chain is re-formed from those, in order, in a new epoch (never
 *     from a provisional tail). While any member of the recorded incarnations is live, a resuming process is spliced
 *     out like any other new incarnation.</li>
 *     <li><b>Heal:</b> a chain shorter than the replication factor, with no joiner, is given one: the earliest
 *     registered spare (live, in no chain, not draining). The tail streams its state to the joiner.</li>
 *     <li><b>Promote:</b> a joiner that reports it caught up in the chain's current epoch becomes its tail, a
 *     <em>provisional</em> one: until its predecessor (the old tail, the giver) reports that it saw the new tail hold
 *     everything it had acknowledged ({@link NodeInfo#handoffEpoch()} in the chain's epoch), every failure is planned
 *     as if the new tail were still the joiner, and the new tail answers no reads. If the giver goes, the provisional
 *     tail goes back to joining (the chain is then never left to a lagging member alone); once the handoff is proven
 *     the next epoch makes it a full tail. No other joiner is given a provisional chain. A joiner that is
 *     gone or draining is dropped. A joiner stays through a splice and starts its transfer again from the (maybe new)
 *     tail.</li>
 *     <li><b>Repair:</b> a member that reports its predecessor no longer holds what it lacks
 *     ({@link NodeInfo#needsTransferEpoch()} in the chain's epoch) leaves the chain (a provisional tail goes back to
 *     joining) and transfers again.</li>
 *     <li><b>Removals</b> (operator requests under {@link io.chainkv.cluster.ClusterPaths#removalsPath()}): a node
 *     to drain leaves its chain once the chain has the replication factor without it (a spare joins first if
 *     one is registered); a node to remove leaves at once, unless it is the chain's last member. Neither is
 *     given a place again. Every live removal takes two steps: an epoch in which the node is still in the write
 *     path but {@linkplain ChainConfig#leaving() leaving} (it answers no reads), then, once its registration says it
 *     adopted that epoch ({@link NodeInfo#adoptedEpoch()}), the epoch without it. So no configuration without it
 *     commits a write while it may still answer reads.</li>
 *     <li><b>Backups:</b> a backup taker ({@link NodeState#BACKUP}) is given the joiner place of a chain that has
 *     none and needs no spare; it is never promoted.</li>
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
    private final boolean heal;
    private final long restartGraceMs;

    /** Default {@link #restartGraceMs()}. */
    public static final long DEFAULT_RESTART_GRACE_MS = 5_000;

    /**
     * What an operator asked for a node.
     */
    public enum Removal
    {
        /** Leave once the chain no longer needs the node. */
        DRAIN,
        /** Leave now (never the last member). */
        REMOVE
    }

    /**
     * @param replicationFactor target chain length, at least 1.
     * @param heal              true to give short chains a joiner from the spares (the default in {@code MasterMain}).
     */
    public ChainPlanner(final int replicationFactor, final boolean heal)
    {
        this(replicationFactor, heal, DEFAULT_RESTART_GRACE_MS);
    }

    /**
     * @param replicationFactor target chain length, at least 1.
     * @param heal              true to give short chains a joiner from the spares.
     * @param restartGraceMs    how long, after a chain lost every member, the others get to come back once one restarted
     *                          member could re-form it (the master times it; see {@link Plan#awaitingRestart()}).
     */
    public ChainPlanner(final int replicationFactor, final boolean heal, final long restartGraceMs)
    {
        this.restartGraceMs = restartGraceMs;
        if (replicationFactor < 1)
        {
            throw new IllegalArgumentException("replication factor must be >= 1, was " + replicationFactor);
        }
        this.replicationFactor = replicationFactor;
        this.heal = heal;
    }

    public int replicationFactor()
    {
        return replicationFactor;
    }

    /**
     * @return how long the master waits for every member of a chain that went down entirely before one restarted
     * member re-forms it.
     */
    public long restartGraceMs()
    {
        return restartGraceMs;
    }

    /**
     * @param clusterName name of the cluster.
     * @param current     configuration in ZooKeeper, or null if none yet.
     * @param liveNodes   nodes currently registered.
     * @return the next configuration, if any, and remarks.
     */
    public Plan plan(final String clusterName, final ClusterConfig current, final Collection<RegisteredNode> liveNodes)
    {
        return plan(clusterName, current, liveNodes, Map.of());
    }

    /**
     * @param clusterName name of the cluster.
     * @param current     configuration in ZooKeeper, or null if none yet.
     * @param liveNodes   nodes currently registered.
     * @param removals    operators' removal requests by node id.
     * @return the next configuration, if any, and remarks.
     */
    public Plan plan(
        final String clusterName,
        final ClusterConfig current,
        final Collection<RegisteredNode> liveNodes,
        final Map<String, Removal> removals)
    {
        return plan(clusterName, current, liveNodes, removals, Set.of());
    }

    /**
     * @param clusterName       name of the cluster.
     * @param current           configuration in ZooKeeper, or null if none yet.
     * @param liveNodes         nodes currently registered.
     * @param removals          operators' removal requests by node id.
     * @param restartGraceOver  ids of chains, every member of which went down, whose restart grace is over (see
     *                          {@link Plan#awaitingRestart()}): a restarted member may re-form them even though not every
     *                          member is back.
     * @return the next configuration, if any, and remarks.
     */
    public Plan plan(
        final String clusterName,
        final ClusterConfig current,
        final Collection<RegisteredNode> liveNodes,
        final Map<String, Removal> removals,
        final Set<Integer> restartGraceOver)
    {
        final Map<String, RegisteredNode> live = new TreeMap<>();
        for (final RegisteredNode node : liveNodes)
        {
            live.put(node.nodeId(), node);
        }
        final Set<String> leaving = removals.keySet();
        return null == current ? bootstrap(clusterName, live, leaving) :
            reconfigure(current, live, removals, restartGraceOver);
    }

    private Plan bootstrap(final String clusterName, final Map<String, RegisteredNode> live, final Set<String> leaving)
    {
        final List<RegisteredNode> candidates = eligible(live.values(), leaving);
        RegisteredNode holder = null;
        for (final RegisteredNode node : candidates)
        {
            if (node.info().heldSeq() > 0 && (null == holder || node.info().heldSeq() > holder.info().heldSeq()))
            {
                holder = node;
            }
        }
        if (null != holder)
        {
            final ChainConfig chain = new ChainConfig(clusterName, FIRST_CHAIN_ID, 1, List.of(holder.info().toMember()));
            return new Plan(new ClusterConfig(clusterName, 1, List.of(chain)), List.of("bootstrap from " +
                holder.nodeId() + ", whose store holds data up to seq " + holder.info().heldSeq() +
                "; the other nodes join it by state transfer"));
        }
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

    private Plan reconfigure(
        final ClusterConfig current,
        final Map<String, RegisteredNode> live,
        final Map<String, Removal> removals,
        final Set<Integer> restartGraceOver)
    {
        final long nextEpoch = current.epoch() + 1;
        final List<String> notes = new ArrayList<>();
        final Map<Integer, Long> awaitingRestart = new HashMap<>();
        final List<ChainConfig> chains = new ArrayList<>(current.chains().size());
        boolean changed = false;

        final Set<String> placed = new HashSet<>();
        for (final ChainConfig chain : current.chains())
        {
            final List<ChainMember> survivors = new ArrayList<>(chain.members().size());
            final List<String> gone = new ArrayList<>();
            for (final ChainMember member : chain.members())
            {
                if (holds(live, member))
                {
                    survivors.add(member);
                }
                else
                {
                    gone.add(live.containsKey(member.nodeId()) ?
                        member.nodeId() + " (registered again as another incarnation)" : member.nodeId());
                }
            }

            // A member whose predecessor can no longer feed it transfers again: out of the chain (a provisional tail
            // goes back to joining, below).
            final ChainMember provisionalTail = chain.tailProvisional() ? chain.tail() : null;
            for (final ChainMember member : new ArrayList<>(survivors))
            {
                final RegisteredNode node = live.get(member.nodeId());
                if (node.info().needsTransferEpoch() == chain.epoch() && survivors.size() > 1 &&
                    !member.equals(provisionalTail) && !member.equals(chain.head()))
                {
                    survivors.remove(member);
                    gone.add(member.nodeId() + " (lacks updates its predecessor no longer holds; it transfers again)");
                }
            }

            ChainMember joiner = chain.joiner();
            RegisteredNode joinerNode = null == joiner || !holds(live, joiner) ? null : live.get(joiner.nodeId());
            if (null != joiner && (null == joinerNode || joinerNode.info().state() == NodeState.DRAINING ||
                removals.containsKey(joiner.nodeId())))
            {
                notes.add("chain " + chain.chainId() + ": joiner " + joiner.nodeId() + " is " +
                    (null == joinerNode ? "gone" : "draining") + "; dropping it");
                joiner = null;
            }

            // A live member leaves in two steps: an epoch in which it is still in the write path but answers no reads,
            // then, once its registration says it adopted that epoch, one without it (docs/design.md, invariant 10).
            final Set<String> leaving = new HashSet<>();
            if (!survivors.isEmpty())
            {
                final List<ChainMember> staying = new ArrayList<>();
                for (final ChainMember member : survivors)
                {
                    // A provisional tail may yet go back to joining: a drain waits until its handoff is proven.
                    if (!removals.containsKey(member.nodeId()) && !member.equals(provisionalTail))
                    {
                        staying.add(member);
                    }
                }
                final List<ChainMember> leavingNow = new ArrayList<>();
                for (final ChainMember member : survivors)
                {
                    final String id = member.nodeId();
                    final Removal removal = removals.get(id);
                    if (null == removal)
                    {
                        continue;
                    }
                    final boolean allowed = Removal.REMOVE == removal || staying.size() >= replicationFactor;
                    if (!allowed || survivors.size() - leavingNow.size() - leaving.size() <= 1)
                    {
                        notes.add("chain " + chain.chainId() + ": " + id + " is to " +
                            removal.name().toLowerCase() + " but the chain still needs it (" + staying.size() +
                            " other member(s), replication factor " + replicationFactor + "); it leaves once a spare " +
                            "has joined");
                    }
                    else if (!chain.leaving().contains(id))
                    {
                        leaving.add(id);
                        notes.add("chain " + chain.chainId() + ": " + id + " is to " + removal.name().toLowerCase() +
                            "; it answers no reads from epoch " + nextEpoch + " and leaves once it has adopted it");
                    }
                    else if (live.get(id).info().adoptedEpoch() >= chain.epoch())
                    {
                        leavingNow.add(member);
                    }
                    else
                    {
                        leaving.add(id);
                        notes.add("chain " + chain.chainId() + ": waiting for " + id + " to adopt epoch " +
                            chain.epoch() + " (it stops answering reads there) before it leaves");
                    }
                }
                survivors.removeAll(leavingNow);
                for (final ChainMember member : leavingNow)
                {
                    gone.add(member.nodeId() + " (" + removals.get(member.nodeId()).name().toLowerCase() + ")");
                }
            }

            boolean provisional = false;
            boolean handoffProven = false;
            if (null != provisionalTail && survivors.contains(provisionalTail))
            {
                final ChainMember giver = chain.members().get(chain.members().size() - 2);
                final RegisteredNode giverNode = live.get(giver.nodeId());
                final RegisteredNode tailNode = live.get(provisionalTail.nodeId());
                if (!survivors.contains(giver) || tailNode.info().needsTransferEpoch() == chain.epoch())
                {
                    // Not proven to hold what the giver acknowledged: it is still a joiner, whatever the list says.
                    survivors.remove(provisionalTail);
                    if (null == joiner && !removals.containsKey(provisionalTail.nodeId()))
                    {
                        joiner = provisionalTail;
                        joinerNode = tailNode;
                    }
                    notes.add("chain " + chain.chainId() + ": provisional tail " + provisionalTail.nodeId() +
                        (survivors.contains(giver) ? " lacks updates " + giver.nodeId() + " no longer holds" :
                        " lost its giver " + giver.nodeId() + " before the handoff was proven") +
                        "; it goes back to joining");
                    gone.add(provisionalTail.nodeId() + " (provisional tail, back to joining)");
                }
                else if (null != giverNode && giverNode.info().handoffEpoch() == chain.epoch())
                {
                    handoffProven = true;
                    notes.add("chain " + chain.chainId() + ": " + giver.nodeId() + " proved the handoff to " +
                        provisionalTail.nodeId() + "; it is a full tail");
                }
                else
                {
                    provisional = true;
                }
            }

            final List<ChainMember> resumed = survivors.isEmpty() ? resumed(chain, live) : List.of();
            if (survivors.isEmpty() && !resumed.isEmpty())
            {
                // Every member lost its session (an ensemble outage longer than the session), but some of the same
                // processes registered again saying which incarnation they were: they kept their stores and Sent lists,
                // and nothing changed the chain since, so keeping them in order is a splice of the others.
                notes.add("chain " + chain.chainId() + ": no member of " + chain.members() + " kept its session; " +
                    "re-formed from the same processes registered again: " + resumed);
                chains.add(new ChainConfig(chain.clusterName(), chain.chainId(), nextEpoch, resumed));
                changed = true;
            }
            else if (survivors.isEmpty())
            {
                // Every member holds all acknowledged writes: removing the last would lose them. Restarted processes of
                // the members (new incarnations, no Sent lists) re-form it: the one whose store holds the longest
                // history, alone; the others rejoin it by a delta (docs/healing.md, "The whole cluster restarts").
                final RegisteredNode holder = restartedHolder(chain, live);
                if (null != holder && (allMembersRestarted(chain, live) || restartGraceOver.contains(chain.chainId())))
                {
                    notes.add("chain " + chain.chainId() + ": every member of " + chain.members() + " went down; " +
                        "re-formed from " + holder.nodeId() + ", restarted with the longest history (applied seq " +
                        holder.info().appliedSeq() + "); the others rejoin it");
                    chains.add(new ChainConfig(chain.clusterName(), chain.chainId(), nextEpoch,
                        List.of(holder.info().toMember())));
                    changed = true;
                }
                else
                {
                    if (null != holder)
                    {
                        awaitingRestart.put(chain.chainId(), chain.epoch());
                    }
                    notes.add("chain " + chain.chainId() + " is unavailable: no member of " + chain.members() +
                        " is registered" + (null == holder ? "; kept unchanged until one comes back" :
                        "; waiting for the others to restart before re-forming it from " + holder.nodeId()));
                    chains.add(chain);
                }
            }
            else if (!gone.isEmpty())
            {
                notes.add("chain " + chain.chainId() + ": splicing out " + gone);
                leaving.retainAll(ids(survivors));
                chains.add(new ChainConfig(chain.clusterName(), chain.chainId(), nextEpoch, survivors, joiner, leaving,
                    provisional));
                changed = true;
            }
            else if (handoffProven)
            {
                // A new epoch, so the new tail learns it may answer reads.
                chains.add(new ChainConfig(chain.clusterName(), chain.chainId(), nextEpoch, survivors, joiner, leaving,
                    false));
                changed = true;
            }
            else if (null != joiner && joinerNode.info().caughtUpEpoch() == chain.epoch() &&
                joinerNode.info().state() != NodeState.BACKUP)
            {
                notes.add("chain " + chain.chainId() + ": joiner " + joiner.nodeId() + " caught up; it becomes the tail, " +
                    "provisional until " + chain.tail().nodeId() + " proves it holds everything it acknowledged");
                final List<ChainMember> members = new ArrayList<>(survivors);
                members.add(joiner);
                chains.add(new ChainConfig(chain.clusterName(), chain.chainId(), nextEpoch, members, null, leaving,
                    true));
                changed = true;
            }
            else if (!Objects.equals(joiner, chain.joiner()) || !leaving.equals(chain.leaving()))
            {
                chains.add(new ChainConfig(chain.clusterName(), chain.chainId(), nextEpoch, survivors, joiner, leaving,
                    provisional));
                changed = true;
            }
            else
            {
                chains.add(chain);
            }
        }

        for (final ChainConfig chain : chains)
        {
            for (final ChainMember member : chain.members())
            {
                placed.add(member.nodeId());
            }
            if (null != chain.joiner())
            {
                placed.add(chain.joiner().nodeId());
            }
        }
        if (heal)
        {
            final Set<String> excluded = new HashSet<>(placed);
            excluded.addAll(removals.keySet());
            changed |= assignJoiners(chains, live, excluded, removals.keySet(), nextEpoch, notes);
        }

        final ClusterConfig next = changed ? new ClusterConfig(current.clusterName(), nextEpoch, chains) : null;
        return new Plan(next, notes, awaitingRestart);
    }

    private boolean assignJoiners(
        final List<ChainConfig> chains,
        final Map<String, RegisteredNode> live,
        final Set<String> placed,
        final Set<String> leaving,
        final long nextEpoch,
        final List<String> notes)
    {
        final List<RegisteredNode> spares = eligible(live.values(), placed);
        final List<RegisteredNode> backups = new ArrayList<>();
        for (final RegisteredNode node : live.values())
        {
            if (node.info().state() == NodeState.BACKUP && !placed.contains(node.nodeId()))
            {
                backups.add(node);
            }
        }
        backups.sort(REGISTRATION_ORDER);
        boolean changed = false;
        for (int i = 0; i < chains.size() && !backups.isEmpty(); i++)
        {
            final ChainConfig chain = chains.get(i);
            final boolean needsSpare = staying(chain, leaving) < replicationFactor && !spares.isEmpty();
            if (null != chain.joiner() || needsSpare || !anyLive(chain, live) || chain.tailProvisional())
            {
                continue;
            }
            final RegisteredNode backup = backups.remove(0);
            notes.add("chain " + chain.chainId() + ": backup taker " + backup.nodeId() + " receives the tail's state");
            chains.set(i, new ChainConfig(
                chain.clusterName(), chain.chainId(), nextEpoch, chain.members(), backup.info().toMember()));
            changed = true;
        }
        for (int i = 0; i < chains.size() && !spares.isEmpty(); i++)
        {
            final ChainConfig chain = chains.get(i);
            if (staying(chain, leaving) >= replicationFactor || null != chain.joiner() || !anyLive(chain, live) ||
                chain.tailProvisional())
            {
                continue;
            }
            final RegisteredNode spare = spares.remove(0);
            notes.add("chain " + chain.chainId() + " has " + chain.members().size() + " of " + replicationFactor +
                " members: " + spare.nodeId() + " joins at the tail");
            chains.set(i, new ChainConfig(
                chain.clusterName(), chain.chainId(), nextEpoch, chain.members(), spare.info().toMember()));
            changed = true;
        }
        return changed;
    }

    private static Set<String> ids(final List<ChainMember> members)
    {
        final Set<String> ids = new HashSet<>();
        for (final ChainMember member : members)
        {
            ids.add(member.nodeId());
        }
        return ids;
    }

    private static int staying(final ChainConfig chain, final Set<String> leaving)
    {
        int count = 0;
        for (final ChainMember member : chain.members())
        {
            if (!leaving.contains(member.nodeId()))
            {
                count++;
            }
        }
        return count;
    }

    /**
     * @return the chain's members, in order, whose process registered again after losing its session, each as its new
     * incarnation; never a provisional tail, which may lack what its giver acknowledged.
     */
    private static List<ChainMember> resumed(final ChainConfig chain, final Map<String, RegisteredNode> live)
    {
        final List<ChainMember> resumed = new ArrayList<>();
        final ChainMember provisionalTail = chain.tailProvisional() ? chain.tail() : null;
        for (final ChainMember member : chain.members())
        {
            final RegisteredNode node = live.get(member.nodeId());
            if (null != node && !member.equals(provisionalTail) && ChainMember.NO_INCARNATION != member.incarnation() &&
                node.info().resumes() == member.incarnation() && node.info().state() != NodeState.DRAINING)
            {
                resumed.add(member.withIncarnation(node.info().incarnation()));
            }
        }
        return resumed;
    }

    /**
     * @return of the chain's members (never a provisional tail) restarted as new processes whose stores say they hold a
     * full member's history, the one that applied the most; null if none.
     */
    private static RegisteredNode restartedHolder(final ChainConfig chain, final Map<String, RegisteredNode> live)
    {
        RegisteredNode holder = null;
        for (final ChainMember member : chain.members())
        {
            final RegisteredNode node = restartedMember(chain, member, live);
            if (null != node && (null == holder || node.info().appliedSeq() > holder.info().appliedSeq() ||
                (node.info().appliedSeq() == holder.info().appliedSeq() &&
                REGISTRATION_ORDER.compare(node, holder) < 0)))
            {
                holder = node;
            }
        }
        return holder;
    }

    private static boolean allMembersRestarted(final ChainConfig chain, final Map<String, RegisteredNode> live)
    {
        for (final ChainMember member : chain.members())
        {
            if (!(chain.tailProvisional() && member.equals(chain.tail())) && null == restartedMember(chain, member, live))
            {
                return false;
            }
        }
        return true;
    }

    private static RegisteredNode restartedMember(
        final ChainConfig chain, final ChainMember member, final Map<String, RegisteredNode> live)
    {
        final RegisteredNode node = live.get(member.nodeId());
        final boolean provisional = chain.tailProvisional() && member.equals(chain.tail());
        return null == node || provisional || node.info().memberEpoch() <= 0 ||
            node.info().state() == NodeState.DRAINING || node.info().state() == NodeState.BACKUP ? null : node;
    }

    /**
     * @return true if the place is held by a live registration of the incarnation it was given to.
     */
    private static boolean holds(final Map<String, RegisteredNode> live, final ChainMember place)
    {
        final RegisteredNode node = live.get(place.nodeId());
        return null != node && place.heldBy(node.info().incarnation());
    }

    private static boolean anyLive(final ChainConfig chain, final Map<String, RegisteredNode> live)
    {
        for (final ChainMember member : chain.members())
        {
            if (holds(live, member))
            {
                return true;
            }
        }
        return false;
    }

    private static List<RegisteredNode> eligible(final Collection<RegisteredNode> live, final Set<String> exclude)
    {
        final List<RegisteredNode> nodes = new ArrayList<>();
        for (final RegisteredNode node : live)
        {
            final NodeState state = node.info().state();
            if (state != NodeState.DRAINING && state != NodeState.BACKUP && !exclude.contains(node.nodeId()))
            {
                nodes.add(node);
            }
        }
        nodes.sort(REGISTRATION_ORDER);
        return nodes;
    }
}
