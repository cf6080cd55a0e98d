package io.chainkv.perf.report;

import io.chainkv.perf.BenchResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page of one run (inline SVG, no script, nothing fetched): settings, the summary
 * table, the latency percentile curve of each op type next to the transport floor, and throughput and p99
 * over time with the fault actions and the longest unavailability marked.
 */
public final class HtmlReport
{
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    private static final double MAX_NINES = 6;

    private HtmlReport()
    {
    }

    /**
     * @param result a run's results.
     * @return the page.
     */
    public static String render(final BenchResult result)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ChainKV benchmark ")
            .append(escape(result.startedAt())).append("</title>\n<style>body{font-family:sans-serif;margin:2em;}")
            .append("pre{background:#f6f6f6;padding:1em;overflow-x:auto}td,th{padding:2px 8px;text-align:right}")
            .append("th{background:#eee}</style></head><body>\n");
        sb.append("<h1>ChainKV benchmark</h1>\n<p>").append(escape(result.startedAt())).append(" &middot; <code>")
            .append(escape(result.command())).append("</code></p>\n");
        sb.append("<pre>").append(escape(SummaryTable.render(result))).append("</pre>\n");
        sb.append(percentileChart(result)).append('\n');
        sb.append(throughputChart(result)).append('\n');
        sb.append(p99Chart(result)).append('\n');
        sb.append("<h2>Per second</h2>\n<table><tr><th>s</th><th>ops/s</th><th>reads/s</th><th>writes/s</th>")
            .append("<th>cas/s</th><th>p50 us</th><th>p99 us</th><th>errors</th><th>retries</th></tr>\n");
        for (final BenchResult.Second second : result.timeline())
        {
            sb.append(String.format(Locale.ROOT,
                "<tr><td>%d</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.1f</td><td>%.1f</td>" +
                "<td>%d</td><td>%d</td></tr>%n", second.second(), second.opsPerSecond(), second.readsPerSecond(),
                second.writesPerSecond(), second.casPerSecond(), second.p50Us(), second.p99Us(), second.errors(),
                second.retries()));
        }
        sb.append("</table>\n<p>Latency is measured from when each op was due (its send time in a closed loop, its ")
            .append("intended send time in an open loop); failed ops are counted as errors, not in the latencies.</p>\n");
        return sb.append("</body></html>\n").toString();
    }

    /**
     * @param text any text.
     * @return the text safe inside HTML or SVG.
     */
    public static String escape(final String text)
    {
        if (null == text)
        {
            return "";
        }
        final StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String percentileChart(final BenchResult result)
    {
        double min = Double.MAX_VALUE;
        double max = 0;
        final List<List<double[]>> curves = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (final BenchResult.OpResult op : result.ops())
        {
            curves.add(op.curve());
            names.add(op.op());
        }
        for (final BenchResult.Floor floor : result.floors())
        {
            curves.add(floor.curve());
            names.add("transport floor " + floor.hops() + " hop(s)");
        }
        for (final List<double[]> curve : curves)
        {
            for (final double[] point : curve)
            {
                min = Math.min(min, point[1]);
                max = Math.max(max, point[1]);
            }
        }
        final SvgChart chart = new SvgChart("Latency by percentile", "percentile", "latency (us, log scale)",
            0, MAX_NINES, min == Double.MAX_VALUE ? 1 : min, max, true);
        final String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"};
        for (int i = 0; i <= MAX_NINES; i++)
        {
            chart.xTick(i, labels[i]);
        }
        for (int i = 0; i < curves.size(); i++)
        {
            final List<double[]> points = new ArrayList<>();
            for (final double[] point : curves.get(i))
            {
                points.add(new double[]{nines(point[0]), point[1]});
            }
            chart.line(names.get(i), COLORS[i % COLORS.length], points, names.get(i).startsWith("transport"));
        }
        return chart.render();
    }

    private static String throughputChart(final BenchResult result)
    {
        double max = 0;
        final List<double[]> total = new ArrayList<>();
        for (final BenchResult.Second second : result.timeline())
        {
            total.add(new double[]{second.second(), second.opsPerSecond()});
            max = Math.max(max, second.opsPerSecond());
        }
        final SvgChart chart = new SvgChart("Throughput over time", "second of the measured window", "ops/s",
            0, Math.max(1, result.measuredSeconds()), 0, Math.max(1, max), false);
        decorate(chart, result);
        return chart.line("ops/s (all ops)", COLORS[0], total, false).render();
    }

    private static String p99Chart(final BenchResult result)
    {
        double min = Double.MAX_VALUE;
        double max = 0;
        final List<double[]> p99 = new ArrayList<>();
        final List<double[]> p50 = new ArrayList<>();
        for (final BenchResult.Second second : result.timeline())
        {
            if (second.p99Us() > 0)
            {
                p99.add(new double[]{second.second(), second.p99Us()});
                p50.add(new double[]{second.second(), second.p50Us()});
                min = Math.min(min, second.p50Us());
                max = Math.max(max, second.p99Us());
            }
        }
        final SvgChart chart = new SvgChart("p99 and p50 latency over time", "second of the measured window",
            "latency (us, log scale)", 0, Math.max(1, result.measuredSeconds()), min == Double.MAX_VALUE ? 1 : min,
            Math.max(1, max), true);
        decorate(chart, result);
        return chart.line("p99", COLORS[1], p99, false).line("p50", COLORS[0], p50, false).render();
    }

    private static void decorate(final SvgChart chart, final BenchResult result)
    {
        final BenchResult.Unavailability gap = result.unavailability();
        if (!result.faults().isEmpty() && gap.longestGapMs() > 0)
        {
            chart.band(gap.startsAtSecond(), gap.startsAtSecond() + gap.longestGapMs() / 1000, "#d62728");
        }
        for (final BenchResult.FaultEvent event : result.faults())
        {
            chart.marker(event.atSecond(), event.action() + " " + event.node(), "#d62728");
        }
    }

    private static double nines(final double percentile)
    {
        final double remaining = 1 - percentile / 100;
        return remaining <= Math.pow(10, -MAX_NINES) ? MAX_NINES : -Math.log10(remaining);
    }
}
