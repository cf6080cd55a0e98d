package io.chainkv.perf;

import com.fasterxml.jackson.databind.JsonNode;
import io.chainkv.perf.report.HtmlReport;
import io.chainkv.perf.report.ResultsWriter;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsOutputTest
{
    @TempDir
    Path dir;

    @Test
    void jsonHoldsTheSettingsPerOpFiguresTimelineAndFloor() throws Exception
    {
        ResultsWriter.write(dir, sample(), Map.of("write", histogram()));

        final JsonNode json = ResultsWriter.mapper().readTree(dir.resolve("results.json").toFile());
        assertEquals(100, json.at("/settings/valueSize").asInt());
        assertEquals("write", json.at("/ops/0/op").asText());
        assertEquals(250.0, json.at("/ops/0/p50Us").asDouble());
        assertEquals(2, json.at("/timeline").size());
        assertEquals("kill9", json.at("/faults/0/action").asText());
        assertEquals(1500.0, json.at("/unavailability/longestGapMs").asDouble());
        assertEquals(1.25, json.at("/floors/0/ratioP50").asDouble());
        assertEquals("shared box", json.at("/notes/0").asText());
    }

    @Test
    void hgrmFileIsHdrHistogramsPercentileDistributionInMicroseconds() throws Exception
    {
        ResultsWriter.write(dir, sample(), Map.of("write", histogram()));

        final String hgrm = Files.readString(dir.resolve("write.hgrm"), StandardCharsets.UTF_8);
        assertTrue(hgrm.contains("Value     Percentile TotalCount 1/(1-Percentile)"), hgrm);
        assertTrue(hgrm.contains("#[Max     =     1000.447"), hgrm);
    }

    @Test
    void htmlReportIsSelfContainedWithThreeChartsAndTheFaultMarked() throws Exception
    {
        ResultsWriter.write(dir, sample(), Map.of("write", histogram()));

        final String html = Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8);
        assertEquals(3, html.split("<svg ", -1).length - 1);
        assertTrue(html.contains("Latency by percentile"));
        assertTrue(html.contains("Throughput over time"));
        assertTrue(html.contains("p99 and p50 latency over time"));
        assertTrue(html.contains("kill9 n2"));
        assertTrue(html.contains("transport floor 3 hop(s)"));
        assertFalse(html.contains("<script"), "no script");
        assertFalse(html.contains("src=") || html.contains("href="), "nothing fetched");
    }

    @Test
    void textIsEscapedInTheReport()
    {
        assertEquals("a&lt;b&gt; &amp; &quot;c&quot;", HtmlReport.escape("a<b> & \"c\""));
    }

    private static Histogram histogram()
    {
        final Histogram histogram = new Histogram(OpStats.MAX_LATENCY_NS, 3);
        for (int i = 1; i <= 1000; i++)
        {
            histogram.recordValue(i * 1000L);
        }
        return histogram;
    }

    private static BenchResult sample()
    {
        final List<double[]> curve = List.of(new double[]{0, 100}, new double[]{50, 250}, new double[]{99, 900},
            new double[]{100, 1000});
        return new BenchResult(
            "2026-11-22T03:00:00Z",
            "bench --workload write-only",
            new BenchResult.Settings("write-only", "closed loop, 1 threads x 1 outstanding", 1, 1, 0, 1, 100_000, 16,
                100, "uniform", false, 0, 1, 2, "LINEARIZABLE"),
            new BenchResult.Profile("default (backoff)", "idle=backoff", "n1: backoff"),
            List.of("n1@127.0.0.1:1", "n2@127.0.0.1:2", "n3@127.0.0.1:3"),
            2,
            4000,
            2000,
            3,
            7,
            List.of(new BenchResult.OpResult("write", 4000, 2000, 300, 250, 500, 900, 990, 1000, 3, 0, 0, 1500, 1.0, curve)),
            List.of(new BenchResult.Second(1, 2500, 0, 2500, 0, 240, 800, 0, 0),
                new BenchResult.Second(2, 1500, 0, 1500, 0, 260, 1000, 3, 7)),
            List.of(new BenchResult.FaultEvent(1.0, "kill9", "n2", "killed n2")),
            new BenchResult.Unavailability(1500, 1.0),
            List.of(new BenchResult.Floor(3, "write", 212, 1, 1000, 200, 700, 800, 900, 250, 900, 1.25, 1.29, curve)),
            List.of("shared box"));
    }
}
