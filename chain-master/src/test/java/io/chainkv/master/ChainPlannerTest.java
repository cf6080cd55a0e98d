package io.chainkv.master;

import io.chainkv.cluster.ClusterConfig;
import io.chainkv.cluster.NodeInfo;
import io.chainkv.cluster.NodeState;
import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import io.chainkv.master.zk.RegisteredNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChainPlannerTest
{
    private static final String CLUSTER = "plan";
    private final ChainPlanner planner = new ChainPlanner(3, false);

    private static RegisteredNode live(final String nodeId, final long zxid)
    {
        return live(nodeId, zxid, NodeState.SERVING);
    }

    private static RegisteredNode live(final String nodeId, final long zxid, final NodeState state)
    {
        return new RegisteredNode(new NodeInfo(nodeId, endpointOf(nodeId), state), zxid);
    }

    private static String endpointOf(final String nodeId)
    {
        return "127.0.0.1:" + (40100 + nodeId.hashCode() % 100 + 100);
    }

    private static ChainConfig chain(final int chainId, final long epoch, final String... nodeIds)
    {
        final List<ChainMember> members = new ArrayList<>();
        for (final String id : nodeIds)
        {
            members.add(new ChainMember(id, endpointOf(id)));
        }
        return new ChainConfig(CLUSTER, chainId, epoch, members);
    }

    private static ClusterConfig config(final long epoch, final ChainConfig... chains)
    {
        return new ClusterConfig(CLUSTER, epoch, List.of(chains));
    }

    private static List<String> ids(final ChainConfig chain)
    {
        return chain.members().stream().map(ChainMember::nodeId).toList();
    }

    @Test
    void bootstrapWaitsUntilReplicationFactorNodesAreRegistered()
    {
        final Plan plan = planner.plan(CLUSTER, null, List.of(live("n1", 1), live("n2", 2)));

        assertFalse(plan.changes());
        assertTrue(plan.notes().get(0).contains("1 more node"), plan.notes().toString());
    }

    @Test
    void bootstrapCreatesEpochOneFromTheEarliestRegisteredNodesInRegistrationOrder()
    {
        final Plan plan = planner.plan(CLUSTER, null,
            List.of(live("a", 40), live("b", 10), live("c", 30), live("d", 20)));

        final ClusterConfig next = plan.next();
        assertEquals(1, next.epoch());
        assertEquals(1, next.chains().size());
        assertEquals(1, next.chain(0).epoch());
        assertEquals(List.of("b", "d", "c"), ids(next.chain(0)));
    }

    @Test
    void bootstrapIgnoresDrainingNodes()
    {
        final Plan plan = planner.plan(CLUSTER, null,
            List.of(live("n1", 1), live("n2", 2, NodeState.DRAINING), live("n3", 3)));

        assertFalse(plan.changes());
    }

    @Test
    void nothingChangesWhileEveryMemberIsLive()
    {
        final Plan plan = planner.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2", "n3")),
            List.of(live("n1", 1), live("n2", 2), live("n3", 3), live("spare", 4)));

        assertFalse(plan.changes());
    }

    @Test
    void headFailureMakesItsSuccessorHead()
    {
        final Plan plan = planner.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2", "n3")),
            List.of(live("n2", 2), live("n3", 3)));

        assertEquals(5, plan.next().epoch());
        assertEquals(5, plan.next().chain(0).epoch());
        assertEquals(List.of("n2", "n3"), ids(plan.next().chain(0)));
    }

    @Test
    void middleFailureLinksItsNeighbours()
    {
        final Plan plan = planner.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2", "n3")),
            List.of(live("n1", 1), live("n3", 3)));

        assertEquals(List.of("n1", "n3"), ids(plan.next().chain(0)));
        assertEquals(5, plan.next().epoch());
    }

    @Test
    void tailFailureMakesItsPredecessorTail()
    {
        final Plan plan = planner.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2", "n3")),
            List.of(live("n1", 1), live("n2", 2)));

        assertEquals(List.of("n1", "n2"), ids(plan.next().chain(0)));
    }

    @Test
    void twoFailuresAtOnceLeaveTheSurvivorAlone()
    {
        final Plan plan = planner.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2", "n3", "n4")),
            List.of(live("n3", 3)));

        assertEquals(List.of("n3"), ids(plan.next().chain(0)));
        assertEquals(5, plan.next().epoch());
    }

    @Test
    void survivorsKeepTheirOrderWhenHeadAndTailFail()
    {
        final Plan plan = planner.plan(CLUSTER, config(2, chain(0, 2, "n1", "n2", "n3", "n4", "n5")),
            List.of(live("n4", 1), live("n2", 2), live("n3", 3)));

        assertEquals(List.of("n2", "n3", "n4"), ids(plan.next().chain(0)));
    }

    @Test
    void chainWithNoLiveMemberIsKeptAndReportedUnavailable()
    {
        final ClusterConfig current = config(4, chain(0, 4, "n1", "n2"));

        final Plan plan = planner.plan(CLUSTER, current, List.of(live("other", 9)));

        assertFalse(plan.changes());
        assertTrue(plan.notes().get(0).contains("chain 0 is unavailable"), plan.notes().toString());
    }

    @Test
    void onlyTheChangedChainTakesTheNewEpoch()
    {
        final Plan plan = planner.plan(CLUSTER, config(7, chain(0, 3, "n1", "n2"), chain(1, 7, "n3", "n4")),
            List.of(live("n1", 1), live("n2", 2), live("n4", 4)));

        assertEquals(8, plan.next().epoch());
        assertEquals(3, plan.next().chain(0).epoch());
        assertEquals(List.of("n1", "n2"), ids(plan.next().chain(0)));
        assertEquals(8, plan.next().chain(1).epoch());
        assertEquals(List.of("n4"), ids(plan.next().chain(1)));
    }

    @Test
    void noJoinerIsGivenWhenHealingIsOff()
    {
        final Plan plan = planner.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2")),
            List.of(live("n1", 1), live("n2", 2), live("spare", 3)));

        assertFalse(plan.changes());
    }

    @Test
    void aShortChainGetsTheEarliestRegisteredSpareAsJoinerNotAsMember()
    {
        final Plan plan = healing.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2", "n3")),
            List.of(live("n1", 1), live("n3", 3), live("s2", 20), live("s1", 10), live("d", 5, NodeState.DRAINING)));

        assertEquals(List.of("n1", "n3"), ids(plan.next().chain(0)));
        assertEquals("s1", plan.next().chain(0).joiner().nodeId());
        assertEquals(5, plan.next().epoch());
    }

    @Test
    void aJoinerThatCaughtUpInTheChainsEpochBecomesTheTail()
    {
        final ChainConfig joining = withJoiner(chain(0, 5, "n1", "n3"), "s1");

        final Plan plan = healing.plan(CLUSTER, config(5, joining),
            List.of(live("n1", 1), live("n3", 3), caughtUp("s1", 10, 5)));

        assertEquals(List.of("n1", "n3", "s1"), ids(plan.next().chain(0)));
        assertNull(plan.next().chain(0).joiner());
        assertEquals(6, plan.next().chain(0).epoch());
        assertTrue(plan.next().chain(0).tailProvisional(), "the old tail has not proven the handoff yet");
    }

    @Test
    void aProvisionalTailWhoseGiverDiesGoesBackToJoiningAndTheChainIsNotLeftToIt()
    {
        // Scenario B of docs/healing.md: the old tail n3 dies before it saw s1 hold what it acknowledged.
        final ChainConfig promoted = provisional(chain(0, 6, "n1", "n2", "n3", "s1"));

        final Plan plan = healing.plan(CLUSTER, config(6, promoted), List.of(live("n1", 1), live("n2", 2), live("s1", 10)));

        assertEquals(List.of("n1", "n2"), ids(plan.next().chain(0)));
        assertEquals("s1", plan.next().chain(0).joiner().nodeId());
        assertFalse(plan.next().chain(0).tailProvisional());
        assertEquals(7, plan.next().chain(0).epoch());
    }

    @Test
    void aProvisionalTailIsNeverTheOnlyMemberLeft()
    {
        // Scenario A of docs/healing.md: [T] + J, J promoted, T dies before the handoff was proven.
        final ChainConfig promoted = provisional(chain(0, 6, "t", "j"));

        final Plan plan = healing.plan(CLUSTER, config(6, promoted), List.of(live("j", 10)));

        assertFalse(plan.changes(), "the chain waits for t, the only holder of what it acknowledged");
        assertTrue(plan.notes().toString().contains("unavailable"), plan.notes().toString());
    }

    @Test
    void theGiversProofMakesTheProvisionalTailAFullOneInANewEpoch()
    {
        final ChainConfig promoted = provisional(chain(0, 6, "n1", "n3", "s1"));

        final Plan plan = healing.plan(CLUSTER, config(7, promoted),
            List.of(live("n1", 1), new RegisteredNode(live("n3", 3).info().withHandoffEpoch(6), 3), live("s1", 10)));

        assertEquals(8, plan.next().epoch());
        assertEquals(8, plan.next().chain(0).epoch(), "the new tail learns it may answer reads");
        assertTrue(plan.next().chain(0).answersReads("s1"));
        assertEquals(List.of("n1", "n3", "s1"), ids(plan.next().chain(0)));
        assertFalse(plan.next().chain(0).tailProvisional());
    }

    @Test
    void aProofFromAnEarlierChainEpochDoesNotCount()
    {
        final ChainConfig promoted = provisional(chain(0, 7, "n1", "n3", "s1"));

        final Plan plan = healing.plan(CLUSTER, config(7, promoted),
            List.of(live("n1", 1), new RegisteredNode(live("n3", 3).info().withHandoffEpoch(6), 3), live("s1", 10)));

        assertFalse(plan.changes());
    }

    @Test
    void aSpliceElsewhereKeepsTheTailProvisional()
    {
        final ChainConfig promoted = provisional(chain(0, 6, "n1", "n2", "n3", "s1"));

        final Plan plan = healing.plan(CLUSTER, config(6, promoted), List.of(live("n2", 2), live("n3", 3), live("s1", 10)));

        assertEquals(List.of("n2", "n3", "s1"), ids(plan.next().chain(0)));
        assertTrue(plan.next().chain(0).tailProvisional());
    }

    @Test
    void aProvisionalTailThatLacksWhatItsGiverTrimmedGoesBackToJoining()
    {
        // Scenario C: the tail stopped feeding the joiner after its claim; the promoted joiner asks for what is gone.
        final ChainConfig promoted = provisional(chain(0, 6, "n1", "n3", "s1"));

        final Plan plan = healing.plan(CLUSTER, config(6, promoted), List.of(live("n1", 1), live("n3", 3),
            new RegisteredNode(live("s1", 10).info().withNeedsTransferEpoch(6), 10)));

        assertEquals(List.of("n1", "n3"), ids(plan.next().chain(0)));
        assertEquals("s1", plan.next().chain(0).joiner().nodeId());
    }

    @Test
    void aMemberThatNeedsATransferLeavesTheChain()
    {
        final Plan plan = healing.plan(CLUSTER, config(6, chain(0, 6, "n1", "n2", "n3")), List.of(live("n1", 1),
            live("n2", 2), new RegisteredNode(live("n3", 3).info().withNeedsTransferEpoch(6), 3)));

        assertEquals(List.of("n1", "n2"), ids(plan.next().chain(0)));
    }

    @Test
    void aChainWithAProvisionalTailGetsNoOtherJoiner()
    {
        final ChainConfig promoted = provisional(chain(0, 6, "n1", "s1"));

        final Plan plan = healing.plan(CLUSTER, config(6, promoted), List.of(live("n1", 1), live("s1", 10), live("s2", 20)));

        assertFalse(plan.changes());
    }

    @Test
    void aJoinerThatCaughtUpInAnEarlierEpochIsNotPromoted()
    {
        final ChainConfig joining = withJoiner(chain(0, 6, "n1", "n3"), "s1");

        final Plan plan = healing.plan(CLUSTER, config(6, joining),
            List.of(live("n1", 1), live("n3", 3), caughtUp("s1", 10, 5)));

        assertFalse(plan.changes());
    }

    @Test
    void aJoinerThatIsGoneIsReplacedByTheNextSpare()
    {
        final ChainConfig joining = withJoiner(chain(0, 5, "n1", "n3"), "s1");

        final Plan plan = healing.plan(CLUSTER, config(5, joining), List.of(live("n1", 1), live("n3", 3), live("s2", 20)));

        assertEquals(List.of("n1", "n3"), ids(plan.next().chain(0)));
        assertEquals("s2", plan.next().chain(0).joiner().nodeId());
    }

    @Test
    void aJoinerStaysThroughASpliceAndIsNotPromotedInTheSameStep()
    {
        final ChainConfig joining = withJoiner(chain(0, 5, "n1", "n2", "n3"), "s1");

        final Plan plan = healing.plan(CLUSTER, config(5, joining),
            List.of(live("n1", 1), live("n2", 2), caughtUp("s1", 10, 5)));

        assertEquals(List.of("n1", "n2"), ids(plan.next().chain(0)));
        assertEquals("s1", plan.next().chain(0).joiner().nodeId());
    }

    @Test
    void aChainWithNoLiveMemberGetsNoJoiner()
    {
        final Plan plan = healing.plan(CLUSTER, config(5, chain(0, 5, "n1")), List.of(live("s1", 10)));

        assertFalse(plan.changes());
    }

    @Test
    void aNewClusterStartsFromTheNodeHoldingTheMostDataAlone()
    {
        final Plan plan = planner.plan(CLUSTER, null,
            List.of(live("n1", 1), holding("restored", 2, 900), holding("older", 3, 400)));

        assertEquals(List.of("restored"), ids(plan.next().chain(0)));
        assertEquals(1, plan.next().epoch());
    }

    @Test
    void aBackupTakerGetsTheJoinerPlaceOfAFullChain()
    {
        final Plan plan = healing.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2", "n3")),
            List.of(live("n1", 1), live("n2", 2), live("n3", 3), live("b", 9, NodeState.BACKUP)));

        assertEquals("b", plan.next().chain(0).joiner().nodeId());
        assertEquals(List.of("n1", "n2", "n3"), ids(plan.next().chain(0)));
    }

    @Test
    void aSpareThatHealsAChainGoesBeforeABackupTaker()
    {
        final Plan plan = healing.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2")),
            List.of(live("n1", 1), live("n2", 2), live("b", 5, NodeState.BACKUP), live("s", 9)));

        assertEquals("s", plan.next().chain(0).joiner().nodeId());
    }

    @Test
    void aBackupTakerThatCaughtUpIsNeverPromoted()
    {
        final ChainConfig backingUp = withJoiner(chain(0, 5, "n1", "n2", "n3"), "b");

        final Plan plan = healing.plan(CLUSTER, config(5, backingUp), List.of(live("n1", 1), live("n2", 2),
            live("n3", 3), new RegisteredNode(new NodeInfo("b", endpointOf("b"), NodeState.BACKUP, 5, 0), 9)));

        assertFalse(plan.changes());
    }

    @Test
    void aBackupTakerThatLeftIsDropped()
    {
        final ChainConfig backingUp = withJoiner(chain(0, 5, "n1", "n2", "n3"), "b");

        final Plan plan = healing.plan(CLUSTER, config(5, backingUp), List.of(live("n1", 1), live("n2", 2),
            live("n3", 3)));

        assertNull(plan.next().chain(0).joiner());
        assertEquals(6, plan.next().chain(0).epoch());
    }

    private static RegisteredNode holding(final String nodeId, final long zxid, final long heldSeq)
    {
        return new RegisteredNode(new NodeInfo(nodeId, endpointOf(nodeId), NodeState.JOINING, 0, heldSeq), zxid);
    }

    @Test
    void aDrainedMemberStaysUntilASpareHasJoined()
    {
        final Plan plan = fenced.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2", "n3")),
            List.of(live("n1", 1), live("n2", 2), live("n3", 3), live("s", 9)), Map.of("n2", ChainPlanner.Removal.DRAIN));

        assertEquals(List.of("n1", "n2", "n3"), ids(plan.next().chain(0)));
        assertEquals("s", plan.next().chain(0).joiner().nodeId());
    }

    @Test
    void aDrainedMemberFirstStopsAnsweringReadsWhileItStaysInTheWritePath()
    {
        final Plan plan = fenced.plan(CLUSTER, config(6, chain(0, 6, "n1", "n2", "n3", "s")),
            List.of(live("n1", 1), live("n2", 2), live("n3", 3), live("s", 9)), Map.of("n2", ChainPlanner.Removal.DRAIN));

        assertEquals(List.of("n1", "n2", "n3", "s"), ids(plan.next().chain(0)));
        assertEquals(Set.of("n2"), plan.next().chain(0).leaving());
        assertFalse(plan.next().chain(0).answersReads("n2"));
        assertEquals(7, plan.next().chain(0).epoch());
    }

    @Test
    void aLeavingMemberStaysUntilItHasAdoptedTheEpochThatSaysSo()
    {
        final ChainConfig marked = leaving(chain(0, 7, "n1", "n2", "n3"), "n3");

        final Plan plan = fenced.plan(CLUSTER, config(7, marked), List.of(live("n1", 1), live("n2", 2),
            adopted(live("n3", 3), 6)), Map.of("n3", ChainPlanner.Removal.REMOVE));

        assertFalse(plan.changes(), "n3 may still be in epoch 6, answering reads: " + plan.notes());
    }

    @Test
    void aLeavingMemberThatAdoptedTheEpochLeavesWithNoFence()
    {
        final ChainConfig marked = leaving(chain(0, 7, "n1", "n2", "n3"), "n3");

        final Plan plan = fenced.plan(CLUSTER, config(7, marked), List.of(live("n1", 1), live("n2", 2),
            adopted(live("n3", 3), 7)), Map.of("n3", ChainPlanner.Removal.REMOVE));

        assertEquals(List.of("n1", "n2"), ids(plan.next().chain(0)));
        assertTrue(plan.next().chain(0).leaving().isEmpty());
        assertEquals(8, plan.next().chain(0).epoch());
    }

    @Test
    void aLeavingMemberThatDiesIsSplicedOutAtOnce()
    {
        final ChainConfig marked = leaving(chain(0, 7, "n1", "n2", "n3"), "n3");

        final Plan plan = fenced.plan(CLUSTER, config(7, marked), List.of(live("n1", 1), live("n2", 2)),
            Map.of("n3", ChainPlanner.Removal.REMOVE));

        assertEquals(List.of("n1", "n2"), ids(plan.next().chain(0)));
        assertTrue(plan.next().chain(0).leaving().isEmpty());
    }

    @Test
    void theLastMemberIsNeverRemoved()
    {
        final Plan plan = fenced.plan(CLUSTER, config(4, chain(0, 4, "n1")), List.of(live("n1", 1)),
            Map.of("n1", ChainPlanner.Removal.REMOVE));

        assertFalse(plan.changes());
    }

    @Test
    void aDrainedNodeIsNeverGivenAPlace()
    {
        final Plan plan = fenced.plan(CLUSTER, config(4, chain(0, 4, "n1", "n2")),
            List.of(live("n1", 1), live("n2", 2), live("d", 5)), Map.of("d", ChainPlanner.Removal.DRAIN));

        assertFalse(plan.changes());
    }

    private final ChainPlanner fenced = new ChainPlanner(3, true);

    private static RegisteredNode adopted(final RegisteredNode node, final long epoch)
    {
        return new RegisteredNode(node.info().withAdoptedEpoch(epoch), node.registrationZxid());
    }

    private static ChainConfig leaving(final ChainConfig chain, final String... nodeIds)
    {
        return new ChainConfig(CLUSTER, chain.chainId(), chain.epoch(), chain.members(), chain.joiner(),
            Set.of(nodeIds), chain.tailProvisional());
    }

    private final ChainPlanner healing = new ChainPlanner(3, true);

    private static RegisteredNode caughtUp(final String nodeId, final long zxid, final long epoch)
    {
        return new RegisteredNode(new NodeInfo(nodeId, endpointOf(nodeId), NodeState.JOINING, epoch, 0), zxid);
    }

    private static ChainConfig provisional(final ChainConfig chain)
    {
        return chain.withTailProvisional(true);
    }

    private static ChainConfig withJoiner(final ChainConfig chain, final String joinerId)
    {
        return new ChainConfig(CLUSTER, chain.chainId(), chain.epoch(), chain.members(),
            new ChainMember(joinerId, endpointOf(joinerId)));
    }

    private static RegisteredNode incarnation(final RegisteredNode node, final long incarnation)
    {
        return new RegisteredNode(node.info().withIncarnation(incarnation), node.registrationZxid());
    }

    /** The chain as its configuration records it: each place held by incarnation 1 of its node. */
    private static ChainConfig placedAsFirstIncarnations(final ChainConfig chain)
    {
        final List<ChainMember> members = new ArrayList<>();
        for (final ChainMember member : chain.members())
        {
            members.add(member.withIncarnation(1));
        }
        return new ChainConfig(CLUSTER, chain.chainId(), chain.epoch(), members,
            null == chain.joiner() ? null : chain.joiner().withIncarnation(1), chain.leaving(), chain.tailProvisional());
    }

    @Test
    void aMemberWhoseRegistrationIsAnotherIncarnationIsSplicedOutAsIfItHadFailed()
    {
        // n2 was restarted (or lost its session) faster than its old registration could be seen to go.
        final ChainConfig placed = placedAsFirstIncarnations(chain(0, 5, "n1", "n2", "n3"));

        final Plan plan = planner.plan(CLUSTER, config(5, placed), List.of(incarnation(live("n1", 1), 1),
            incarnation(live("n2", 20), 2), incarnation(live("n3", 3), 1)));

        assertEquals(List.of("n1", "n3"), ids(plan.next().chain(0)));
        assertEquals(6, plan.next().chain(0).epoch());
        assertEquals(1, plan.next().chain(0).members().get(1).incarnation(), "survivors keep their incarnation");
        assertTrue(plan.notes().toString().contains("n2"), plan.notes().toString());
    }

    @Test
    void aRestartedMemberRejoinsAsItsNewIncarnationNeverInItsOldPlace()
    {
        final ChainConfig placed = placedAsFirstIncarnations(chain(0, 5, "n1", "n2", "n3"));

        final Plan plan = healing.plan(CLUSTER, config(5, placed), List.of(incarnation(live("n1", 1), 1),
            incarnation(live("n2", 20, NodeState.JOINING), 2), incarnation(live("n3", 3), 1)));

        assertEquals(List.of("n1", "n3"), ids(plan.next().chain(0)));
        assertEquals(new ChainMember("n2", endpointOf("n2"), 2), plan.next().chain(0).joiner());
    }

    @Test
    void aMemberOfTheSameIncarnationStays()
    {
        final ChainConfig placed = placedAsFirstIncarnations(chain(0, 5, "n1", "n2", "n3"));

        final Plan plan = planner.plan(CLUSTER, config(5, placed), List.of(incarnation(live("n1", 1), 1),
            incarnation(live("n2", 2), 1), incarnation(live("n3", 3), 1)));

        assertFalse(plan.changes());
    }

    @Test
    void aRestartedGiverSendsItsProvisionalTailBackToJoining()
    {
        final ChainConfig promoted = placedAsFirstIncarnations(provisional(chain(0, 6, "n1", "n3", "s1")));

        final Plan plan = healing.plan(CLUSTER, config(6, promoted), List.of(incarnation(live("n1", 1), 1),
            incarnation(new RegisteredNode(live("n3", 30).info().withHandoffEpoch(6), 30), 2),
            incarnation(live("s1", 10), 1)));

        assertEquals(List.of("n1"), ids(plan.next().chain(0)));
        assertEquals(new ChainMember("s1", endpointOf("s1"), 1), plan.next().chain(0).joiner(),
            "a proof from the giver's new incarnation proves nothing about what the old one acknowledged");
        assertFalse(plan.next().chain(0).tailProvisional());
    }

    @Test
    void aRestartedProvisionalTailIsTakenOutAndJoinsAgainAsItsNewIncarnation()
    {
        final ChainConfig promoted = placedAsFirstIncarnations(provisional(chain(0, 6, "n1", "n3", "s1")));

        final Plan plan = healing.plan(CLUSTER, config(6, promoted), List.of(incarnation(live("n1", 1), 1),
            incarnation(live("n3", 3), 1), incarnation(live("s1", 40, NodeState.JOINING), 2)));

        assertEquals(List.of("n1", "n3"), ids(plan.next().chain(0)));
        assertEquals(new ChainMember("s1", endpointOf("s1"), 2), plan.next().chain(0).joiner());
    }

    @Test
    void aRestartedJoinerLosesItsCaughtUpPlaceAndStartsAgain()
    {
        final ChainConfig joining = placedAsFirstIncarnations(withJoiner(chain(0, 5, "n1", "n3"), "s1"));

        final Plan plan = healing.plan(CLUSTER, config(5, joining), List.of(incarnation(live("n1", 1), 1),
            incarnation(live("n3", 3), 1), incarnation(caughtUp("s1", 50, 5), 2)));

        assertEquals(List.of("n1", "n3"), ids(plan.next().chain(0)), "never promoted on another incarnation's claim");
        assertEquals(new ChainMember("s1", endpointOf("s1"), 2), plan.next().chain(0).joiner());
        assertEquals(6, plan.next().chain(0).epoch());
    }

    @Test
    void aLastMemberRestartedOnAStoreWithoutItsHistoryLeavesTheChainWaiting()
    {
        final ChainConfig alone = placedAsFirstIncarnations(chain(0, 5, "n1"));

        final Plan plan = healing.plan(CLUSTER, config(5, alone), List.of(incarnation(live("n1", 10), 2)));

        assertFalse(plan.changes(), "an emptied store holds none of the acknowledged writes: the chain is not re-formed");
        assertTrue(plan.notes().toString().contains("unavailable"), plan.notes().toString());
        assertTrue(plan.awaitingRestart().isEmpty());
    }

    private static RegisteredNode restarted(
        final String nodeId, final long zxid, final long incarnation, final long memberEpoch, final long appliedSeq)
    {
        return new RegisteredNode(new NodeInfo(nodeId, endpointOf(nodeId), NodeState.JOINING)
            .withIncarnation(incarnation).withHistory(memberEpoch, appliedSeq), zxid);
    }

    @Test
    void aChainAllOfWhoseMembersRestartedIsReformedFromTheLongestHistoryAlone()
    {
        final ChainConfig placed = placedAsFirstIncarnations(chain(0, 5, "n1", "n2", "n3"));

        final Plan plan = healing.plan(CLUSTER, config(5, placed), List.of(restarted("n1", 11, 21, 5, 900),
            restarted("n2", 12, 22, 5, 950), restarted("n3", 13, 23, 4, 940)));

        assertEquals(List.of("n2"), ids(plan.next().chain(0)), "n2 applied the most; the others rejoin it");
        assertEquals(22L, plan.next().chain(0).head().incarnation());
        assertEquals(6, plan.next().chain(0).epoch());
    }

    @Test
    void aRestartedMemberWaitsForTheOthersUntilTheRestartGraceIsOver()
    {
        final ChainConfig placed = placedAsFirstIncarnations(chain(0, 5, "n1", "n2", "n3"));
        final List<RegisteredNode> back = List.of(restarted("n3", 13, 23, 5, 940));

        final Plan waiting = healing.plan(CLUSTER, config(5, placed), back);
        final Plan graceOver = healing.plan(CLUSTER, config(5, placed), back, Map.of(), Set.of(0));

        assertFalse(waiting.changes(), waiting.notes().toString());
        assertEquals(Map.of(0, 5L), waiting.awaitingRestart());
        assertEquals(List.of("n3"), ids(graceOver.next().chain(0)), "any member holds every acknowledged write");
    }

    @Test
    void aProvisionalTailRestartedAloneNeverReformsTheChain()
    {
        final ChainConfig promoted = placedAsFirstIncarnations(provisional(chain(0, 6, "t", "j")));

        final Plan plan = healing.plan(CLUSTER, config(6, promoted), List.of(restarted("j", 10, 20, 6, 990)),
            Map.of(), Set.of(0));

        assertFalse(plan.changes(), "j may lack what t acknowledged");
    }

    @Test
    void bootstrapRecordsTheIncarnationOfEachMember()
    {
        final Plan plan = planner.plan(CLUSTER, null, List.of(incarnation(live("a", 1), 11),
            incarnation(live("b", 2), 12), incarnation(live("c", 3), 13)));

        assertEquals(List.of(11L, 12L, 13L),
            plan.next().chain(0).members().stream().map(ChainMember::incarnation).toList());
    }

    private static RegisteredNode resuming(final RegisteredNode node, final long previous, final long now)
    {
        return new RegisteredNode(node.info().withIncarnation(now).withResumes(previous), node.registrationZxid());
    }

    @Test
    void aChainAllOfWhoseMembersLostTheirSessionsIsReformedFromTheSameProcessesInOrder()
    {
        // An ensemble outage longer than the session: every member registered again as a new incarnation of the same
        // process, which kept its store and Sent list.
        final ChainConfig placed = placedAsFirstIncarnations(chain(0, 5, "n1", "n2", "n3"));

        final Plan plan = healing.plan(CLUSTER, config(5, placed), List.of(resuming(live("n1", 11), 1, 21),
            resuming(live("n3", 13), 1, 23)));

        assertEquals(List.of("n1", "n3"), ids(plan.next().chain(0)));
        assertEquals(List.of(21L, 23L), plan.next().chain(0).members().stream().map(ChainMember::incarnation).toList());
        assertEquals(6, plan.next().chain(0).epoch());
    }

    @Test
    void aResumingProcessIsSplicedOutWhileAnotherMemberKeptItsSession()
    {
        final ChainConfig placed = placedAsFirstIncarnations(chain(0, 5, "n1", "n2", "n3"));

        final Plan plan = planner.plan(CLUSTER, config(5, placed), List.of(incarnation(live("n1", 1), 1),
            resuming(live("n2", 12), 1, 22), incarnation(live("n3", 3), 1)));

        assertEquals(List.of("n1", "n3"), ids(plan.next().chain(0)));
    }

    @Test
    void aRestartedProcessWithoutMemberHistoryNeverReformsTheChain()
    {
        final ChainConfig placed = placedAsFirstIncarnations(chain(0, 5, "n1", "n2"));

        final Plan plan = planner.plan(CLUSTER, config(5, placed), List.of(incarnation(live("n1", 11), 2)));

        assertFalse(plan.changes(), "a restarted process lost its Sent list: it resumes nothing");
    }

    @Test
    void aProvisionalTailNeverReformsTheChainAlone()
    {
        final ChainConfig promoted = placedAsFirstIncarnations(provisional(chain(0, 6, "t", "j")));

        final Plan plan = healing.plan(CLUSTER, config(6, promoted), List.of(resuming(live("j", 10), 1, 2)));

        assertFalse(plan.changes(), "j may lack what t acknowledged");
    }
}
