package io.chainkv.perf;

import com.fasterxml.jackson.databind.JsonNode;
import io.chainkv.client.StaticChainConfigSource;
import io.chainkv.node.harness.JvmCommand;
import io.chainkv.node.harness.LocalChain;
import io.chainkv.perf.floor.ChildJvm;
import io.chainkv.perf.floor.TransportFloor;
import io.chainkv.perf.report.ResultsWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One short run of the runner against a real 3-node chain (node processes from chain-node's harness): a
 * read/write/CAS mix with a load phase, the middle node killed -9 and restarted, and the transport floor.
 * Each test checks one thing about that run's results; none checks speed.
 */
class BenchEndToEndTest
{
    private static final Path RESULTS = Path.of("target", "bench-e2e");

    private static LocalChain chain;
    private static BenchResult result;
    private static String progress;

    @BeforeAll
    static void runOnce() throws Exception
    {
        chain = LocalChain.builder().nodes(3).maxEntries(10_000).name("BenchEndToEndTest").start();
        final Map<String, String> killed = new HashMap<>();
        final FaultInjector faults = new FaultInjector()
        {
            public String kill9(final String nodeId)
            {
                chain.node(nodeId).kill9();
                killed.put(nodeId, "killed");
                return "killed " + nodeId;
            }

            public String restart(final String nodeId)
            {
                chain.node(nodeId).restart();
                return "restarted " + nodeId;
            }
        };
        final BenchSettings settings = new BenchSettings()
            .workload(Workload.named("custom:read=5,write=4,cas=1"))
            .keys(2_000)
            .threads(2)
            .outstanding(4)
            .warmup(Duration.ofSeconds(1))
            .duration(Duration.ofSeconds(6))
            .requestTimeout(Duration.ofSeconds(3))
            .faults(new FaultPlan().add("n2@1.5", true).add("n2@2.5", false))
            .floor(true)
            .floorDuration(Duration.ofSeconds(1));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final BenchRun run = new BenchRun(settings, new StaticChainConfigSource(chain.config()),
            new PrintStream(out, true, StandardCharsets.UTF_8))
            .faultInjector(faults)
            .clusterLogs(chain.dir().resolve("logs"))
            .transportFloor(new TransportFloor(new ChildJvm(JvmCommand.classpath(), JvmCommand.jvmOptionsFile()),
                RESULTS.resolve("floor-logs")));
        try
        {
            result = run.run();
        }
        finally
        {
            progress = out.toString(StandardCharsets.UTF_8);
            System.out.println(progress);
        }
        ResultsWriter.write(RESULTS, result, run.histograms());
    }

    @AfterAll
    static void stopChain()
    {
        if (null != chain)
        {
            chain.close();
        }
    }

    @Test
    void everyOpTypeOfTheMixCompletes()
    {
        assertEquals(3, result.ops().size(), result.ops().toString());
        for (final BenchResult.OpResult op : result.ops())
        {
            assertTrue(op.count() > 0, op.op());
            assertTrue(op.p50Us() > 0 && op.p50Us() <= op.p99Us() && op.p99Us() <= op.maxUs(), op.op());
        }
    }

    @Test
    void loadPhaseWroteEveryKeyTheReadsAskFor()
    {
        final BenchResult.OpResult reads = op("read");
        assertEquals(0, reads.misses(), "reads of keys the load phase should have written");
    }

    @Test
    void progressLinePrintedForEverySecondOfTheWindow()
    {
        assertEquals(6, result.timeline().size());
        assertTrue(progress.contains("[   1s]") && progress.contains("[   6s]"), progress);
        assertTrue(progress.contains("retries"), progress);
    }

    @Test
    void faultTimelineKilledAndRestartedTheMiddleNode()
    {
        assertEquals(2, result.faults().size(), result.faults().toString());
        assertEquals("kill9", result.faults().get(0).action());
        assertEquals("restart", result.faults().get(1).action());
        for (final BenchResult.FaultEvent event : result.faults())
        {
            assertFalse(event.outcome().startsWith("FAILED"), event.outcome());
        }
    }

    @Test
    void writesWereUnavailableWhileTheMiddleNodeWasDown()
    {
        // Down from 1.5 s until its restart (at 2.5 s) had it serving: at least a second without a write.
        final BenchResult.OpResult writes = op("write");
        assertTrue(writes.longestGapMs() >= 900, "longest write gap " + writes.longestGapMs() + " ms");
        assertTrue(writes.longestGapStartSecond() >= 1.0, "gap started at " + writes.longestGapStartSecond());
    }

    @Test
    void transportFloorMeasuredForTheWritePathAndTheReadPath()
    {
        assertEquals(2, result.floors().size());
        assertEquals(3, result.floors().get(0).hops());
        assertEquals(1, result.floors().get(1).hops());
        for (final BenchResult.Floor floor : result.floors())
        {
            assertTrue(floor.count() > 0 && floor.p50Us() > 0 && floor.ratioP50() > 0, floor.toString());
        }
    }

    @Test
    void clusterIdleProfileReadFromTheNodesLogs()
    {
        assertTrue(result.profile().cluster().contains("n1: backoff"), result.profile().cluster());
    }

    @Test
    void resultFilesWritten() throws Exception
    {
        final JsonNode json = ResultsWriter.mapper().readTree(RESULTS.resolve("results.json").toFile());
        assertNotNull(json.get("ops"));
        for (final String file : new String[]{"read.hgrm", "write.hgrm", "cas.hgrm", "floor-3-hops.hgrm",
            "report.html", "summary.txt"})
        {
            assertTrue(Files.size(RESULTS.resolve(file)) > 0, file);
        }
    }

    private static BenchResult.OpResult op(final String name)
    {
        return result.ops().stream().filter((op) -> op.op().equals(name)).findFirst().orElseThrow();
    }
}
