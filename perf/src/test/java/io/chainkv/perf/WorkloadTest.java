package io.chainkv.perf;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadTest
{
    private static final int DRAWS = 200_000;

    @Test
    void workloadBIssuesNinetyFivePercentReads()
    {
        final double[] shares = shares(Workload.named("b"));
        assertEquals(0.95, shares[Op.READ.ordinal()], 0.005);
        assertEquals(0.05, shares[Op.WRITE.ordinal()], 0.005);
        assertEquals(0, shares[Op.CAS.ordinal()]);
    }

    @Test
    void workloadAIssuesHalfReadsHalfWrites()
    {
        final double[] shares = shares(Workload.named("a"));
        assertEquals(0.5, shares[Op.READ.ordinal()], 0.006);
        assertEquals(0.5, shares[Op.WRITE.ordinal()], 0.006);
    }

    @Test
    void writeOnlyAndReadOnlyIssueOneOpType()
    {
        assertEquals(1.0, shares(Workload.named("write-only"))[Op.WRITE.ordinal()]);
        assertEquals(1.0, shares(Workload.named("read-only"))[Op.READ.ordinal()]);
    }

    @Test
    void customMixWeightsAreNormalised()
    {
        final Workload workload = Workload.named("custom:read=6,write=3,cas=1");
        final double[] shares = shares(workload);
        assertEquals(0.6, shares[Op.READ.ordinal()], 0.006);
        assertEquals(0.3, shares[Op.WRITE.ordinal()], 0.006);
        assertEquals(0.1, shares[Op.CAS.ordinal()], 0.006);
        assertEquals(0.1, workload.casFraction(), 1e-12);
    }

    @Test
    void onlyWorkloadsThatReadNeedTheLoadPhase()
    {
        assertFalse(Workload.named("write-only").readsExistingKeys());
        assertTrue(Workload.named("custom:write=1,cas=1").readsExistingKeys());
        assertTrue(Workload.named("b").readsExistingKeys());
    }

    @Test
    void unknownWorkloadsAndOpsAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> Workload.named("c"));
        assertThrows(IllegalArgumentException.class, () -> Workload.named("custom:scan=1"));
        assertThrows(IllegalArgumentException.class, () -> Workload.named("custom:read=0"));
    }

    private static double[] shares(final Workload workload)
    {
        final SplittableRandom random = new SplittableRandom(7);
        final double[] counts = new double[Op.count()];
        for (int i = 0; i < DRAWS; i++)
        {
            counts[workload.choose(random.nextDouble()).ordinal()]++;
        }
        for (int i = 0; i < counts.length; i++)
        {
            counts[i] /= DRAWS;
        }
        return counts;
    }
}
