package io.chainkv.cluster;

import io.chainkv.config.ChainConfig;
import io.chainkv.config.ChainMember;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterConfigCodecTest
{
    private static ClusterConfig twoChains()
    {
        return new ClusterConfig("local", 7, List.of(
            new ChainConfig("local", 0, 7, List.of(
                new ChainMember("n1", "127.0.0.1:40101"), new ChainMember("n3", "127.0.0.1:40103"))),
            new ChainConfig("local", 1, 2, List.of(
                new ChainMember("n4", "host-4:40104"), new ChainMember("n5", "host-5:40105"),
                new ChainMember("n6", "host-6:40106")))));
    }

    @Test
    void roundTripKeepsEpochsChainsAndMemberOrder()
    {
        final ClusterConfig config = twoChains();

        final ClusterConfig decoded = ClusterConfigCodec.decode(ClusterConfigCodec.encode(config));

        assertEquals(config, decoded);
        assertEquals(List.of("n4", "n5", "n6"),
            decoded.chain(1).members().stream().map(ChainMember::nodeId).toList());
        assertEquals(7, decoded.chain(0).epoch());
        assertEquals(2, decoded.chain(1).epoch());
    }

    @Test
    void roundTripKeepsLeavingMembersAndAProvisionalTail()
    {
        final ChainConfig chain = new ChainConfig("c", 0, 4, List.of(new ChainMember("a", "10.0.0.1:1"),
            new ChainMember("b", "10.0.0.2:1"), new ChainMember("c", "10.0.0.3:1")), null, Set.of("a"), true);
        final ClusterConfig decoded = ClusterConfigCodec.decode(ClusterConfigCodec.encode(
            new ClusterConfig("c", 4, List.of(chain))));

        assertEquals(Set.of("a"), decoded.chain(0).leaving());
        assertTrue(decoded.chain(0).tailProvisional());
        assertFalse(decoded.chain(0).answersReads("a"));
        assertTrue(decoded.chain(0).answersReads("b"));
        assertFalse(decoded.chain(0).answersReads("c"), "a provisional tail answers no reads");
    }

    @Test
    void aProvisionalTailThatIsNotTheTailIsRefused()
    {
        final String text = "format=1\ncluster=c\nepoch=2\nchains=0\nchain.0.epoch=2\n" +
            "chain.0.members=a@10.0.0.1:1,b@10.0.0.2:1\nchain.0.provisionalTail=a\n";

        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> ClusterConfigCodec.decode(text.getBytes(StandardCharsets.UTF_8)));
        assertTrue(refused.getMessage().contains("provisional tail"), refused.getMessage());
    }

    @Test
    void roundTripKeepsTheIncarnationHoldingEachPlace()
    {
        final ClusterConfig config = new ClusterConfig("local", 9, List.of(new ChainConfig("local", 0, 9, List.of(
            new ChainMember("n1", "127.0.0.1:40101", 0x5f1c0e2a9b7d4410L),
            new ChainMember("n2", "127.0.0.1:40102", -3L)),
            new ChainMember("n3", "127.0.0.1:40103", 42L))));

        final ClusterConfig decoded = ClusterConfigCodec.decode(ClusterConfigCodec.encode(config));

        assertEquals(config, decoded);
        assertEquals(-3L, decoded.chain(0).members().get(1).incarnation());
        assertEquals(42L, decoded.chain(0).joiner().incarnation());
    }

    @Test
    void incarnationsAreAKeyOfTheirOwnSoOlderReadersReadTheMembersAsBefore()
    {
        final ClusterConfig config = new ClusterConfig("local", 9, List.of(new ChainConfig("local", 0, 9, List.of(
            new ChainMember("n1", "127.0.0.1:40101", 0xabcL), new ChainMember("n2", "127.0.0.1:40102")))));

        final String text = new String(ClusterConfigCodec.encode(config), StandardCharsets.UTF_8);

        assertTrue(text.contains("format=1\n"), text);
        assertTrue(text.contains("chain.0.members=n1@127.0.0.1:40101,n2@127.0.0.1:40102\n"), text);
        assertTrue(text.contains("chain.0.incarnations=n1:abc\n"), text);
    }

    @Test
    void configurationWithoutIncarnationsRecordsNone()
    {
        final ClusterConfig decoded = ClusterConfigCodec.decode(ClusterConfigCodec.encode(twoChains()));

        assertEquals(ChainMember.NO_INCARNATION, decoded.chain(0).members().get(0).incarnation());
    }

    @Test
    void malformedIncarnationIsRefusedWithTheChain()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ClusterConfigCodec.decode(("format=1\ncluster=x\nepoch=3\nchains=0\nchain.0.epoch=3\n" +
                "chain.0.members=n1@h:1\nchain.0.incarnations=n1:xyz\n").getBytes(StandardCharsets.UTF_8)));

        assertTrue(ex.getMessage().contains("chain 0") && ex.getMessage().contains("xyz"), ex.getMessage());
    }

    @Test
    void roundTripOfAClusterWithoutChains()
    {
        final ClusterConfig config = new ClusterConfig("empty", 1, List.of());

        assertEquals(config, ClusterConfigCodec.decode(ClusterConfigCodec.encode(config)));
    }

    @Test
    void encodingIsReadableText()
    {
        final String text = new String(ClusterConfigCodec.encode(twoChains()), StandardCharsets.UTF_8);

        assertTrue(text.contains("epoch=7\n"), text);
        assertTrue(text.contains("chain.0.members=n1@127.0.0.1:40101,n3@127.0.0.1:40103\n"), text);
    }

    @Test
    void unknownKeysAreIgnored()
    {
        final byte[] data = (new String(ClusterConfigCodec.encode(twoChains()), StandardCharsets.UTF_8) +
            "# a comment\nfuture.key=whatever\n").getBytes(StandardCharsets.UTF_8);

        assertEquals(twoChains(), ClusterConfigCodec.decode(data));
    }

    @Test
    void otherFormatIsRefusedWithItsNumber()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ClusterConfigCodec.decode("format=2\ncluster=x\nepoch=1\n".getBytes(StandardCharsets.UTF_8)));

        assertTrue(ex.getMessage().contains("format 2"), ex.getMessage());
    }

    @Test
    void missingMembersOfAListedChainIsRefused()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ClusterConfigCodec.decode(
                "format=1\ncluster=x\nepoch=3\nchains=0\nchain.0.epoch=3\n".getBytes(StandardCharsets.UTF_8)));

        assertTrue(ex.getMessage().contains("chain.0.members"), ex.getMessage());
    }

    @Test
    void duplicateKeyIsRefused()
    {
        assertThrows(IllegalArgumentException.class,
            () -> ClusterConfigCodec.decode("format=1\ncluster=x\nepoch=1\nepoch=2\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void chainEpochAboveClusterEpochIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> ClusterConfigCodec.decode(
            "format=1\ncluster=x\nepoch=1\nchains=0\nchain.0.epoch=2\nchain.0.members=n1@h:1\n"
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void nodeInfoRoundTrip()
    {
        final NodeInfo info = new NodeInfo("n2", "10.0.0.2:40102", NodeState.DRAINING);

        assertEquals(info, NodeInfo.decode("n2", info.encode()));
    }

    @Test
    void nodeInfoUnderAnotherNodesNameIsRefused()
    {
        final NodeInfo info = new NodeInfo("n2", "10.0.0.2:40102", NodeState.SERVING);

        assertThrows(IllegalArgumentException.class, () -> NodeInfo.decode("n3", info.encode()));
    }
}
