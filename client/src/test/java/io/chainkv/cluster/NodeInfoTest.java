package io.chainkv.cluster;

import io.chainkv.config.ChainMember;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeInfoTest
{
    @Test
    void roundTripKeepsIncarnationAndSessionTimeout()
    {
        final NodeInfo info = new NodeInfo("n1", "127.0.0.1:40101", NodeState.SERVING, 3, 17)
            .withIncarnation(0x9e3779b97f4a7c15L).withSessionTimeoutMs(600).withResumes(0x77L);

        final NodeInfo decoded = NodeInfo.decode("n1", info.encode());

        assertEquals(info, decoded);
        assertEquals(0x9e3779b97f4a7c15L, decoded.incarnation());
        assertEquals(600, decoded.sessionTimeoutMs());
        assertEquals(0x77L, decoded.resumes());
        assertEquals(new ChainMember("n1", "127.0.0.1:40101", 0x9e3779b97f4a7c15L), decoded.toMember());
    }

    @Test
    void registrationWithoutIncarnationReadsAsNone()
    {
        final NodeInfo decoded = NodeInfo.decode("n1",
            "nodeId=n1\nendpoint=127.0.0.1:40101\nstate=JOINING\n".getBytes(StandardCharsets.UTF_8));

        assertEquals(ChainMember.NO_INCARNATION, decoded.incarnation());
        assertEquals(0, decoded.sessionTimeoutMs());
    }

    @Test
    void incarnationIsWrittenAsHexadecimal()
    {
        final String text = new String(new NodeInfo("n1", "127.0.0.1:40101", NodeState.JOINING)
            .withIncarnation(255).encode(), StandardCharsets.UTF_8);

        assertTrue(text.contains("incarnation=ff\n"), text);
    }
}
