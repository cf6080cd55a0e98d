package io.chainkv.perf.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.chainkv.perf.BenchResult;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a run's files into its results directory: results.json, one HdrHistogram .hgrm per histogram
 * (microseconds, readable by HdrHistogram's plotter), summary.txt (the table printed at the end) and
 * report.html.
 */
public final class ResultsWriter
{
    /** Value unit ratio for .hgrm output: histograms hold nanoseconds, files show microseconds. */
    private static final double NANOS_PER_MICRO = 1000.0;

    private ResultsWriter()
    {
    }

    /**
     * @return the mapper used for results.json (pretty-printed).
     */
    public static ObjectMapper mapper()
    {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * @param dir        directory to write into (created).
     * @param result     the run's results.
     * @param histograms name to nanosecond histogram.
     * @throws IOException if a file cannot be written.
     */
    public static void write(final Path dir, final BenchResult result, final Map<String, Histogram> histograms)
        throws IOException
    {
        Files.createDirectories(dir);
        mapper().writeValue(dir.resolve("results.json").toFile(), result);
        for (final Map.Entry<String, Histogram> entry : histograms.entrySet())
        {
            try (PrintStream out = new PrintStream(
                Files.newOutputStream(dir.resolve(entry.getKey() + ".hgrm")), false, StandardCharsets.UTF_8))
            {
                entry.getValue().outputPercentileDistribution(out, NANOS_PER_MICRO);
            }
        }
        Files.writeString(dir.resolve("summary.txt"), SummaryTable.render(result), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), HtmlReport.render(result), StandardCharsets.UTF_8);
    }
}
