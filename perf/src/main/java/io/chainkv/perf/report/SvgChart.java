package io.chainkv.perf.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A minimal line chart drawn as inline SVG: axes with ticks, polylines, vertical markers and shaded bands.
 * Enough for the report's three charts without a script or a network fetch.
 */
final class SvgChart
{
    private static final int WIDTH = 860;
    private static final int HEIGHT = 320;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 45;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final double xMin;
    private final double xMax;
    private final double yMin;
    private final double yMax;
    private final boolean logY;
    private final List<String> body = new ArrayList<>();
    private final List<String> legend = new ArrayList<>();
    private final List<double[]> xTicks = new ArrayList<>();
    private final List<String> xTickLabels = new ArrayList<>();

    SvgChart(
        final String title,
        final String xLabel,
        final String yLabel,
        final double xMin,
        final double xMax,
        final double yMin,
        final double yMax,
        final boolean logY)
    {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.xMin = xMin;
        this.xMax = xMax > xMin ? xMax : xMin + 1;
        final double lowY = logY ? Math.max(yMin, 1e-3) : yMin;
        this.yMin = logY ? Math.pow(10, Math.floor(Math.log10(lowY))) : lowY;
        final double highY = yMax > this.yMin ? yMax : this.yMin * 10 + 1;
        this.yMax = logY ? Math.pow(10, Math.ceil(Math.log10(highY))) : highY * 1.05;
        this.logY = logY;
    }

    SvgChart xTick(final double x, final String label)
    {
        xTicks.add(new double[]{x});
        xTickLabels.add(label);
        return this;
    }

    SvgChart line(final String name, final String color, final List<double[]> points, final boolean dashed)
    {
        if (points.isEmpty())
        {
            return this;
        }
        final StringBuilder sb = new StringBuilder("<polyline fill=\"none\" stroke=\"").append(color)
            .append("\" stroke-width=\"2\"").append(dashed ? " stroke-dasharray=\"6 4\"" : "").append(" points=\"");
        for (final double[] point : points)
        {
            sb.append(fmt(px(point[0]))).append(',').append(fmt(py(point[1]))).append(' ');
        }
        body.add(sb.append("\"/>").toString());
        legend.add("<tspan fill=\"" + color + "\">&#9632; " + HtmlReport.escape(name) + "</tspan>");
        return this;
    }

    SvgChart marker(final double x, final String label, final String color)
    {
        final double px = px(x);
        body.add("<line x1=\"" + fmt(px) + "\" y1=\"" + TOP + "\" x2=\"" + fmt(px) + "\" y2=\"" + (HEIGHT - BOTTOM) +
            "\" stroke=\"" + color + "\" stroke-dasharray=\"3 3\"/>");
        body.add("<text x=\"" + fmt(px + 3) + "\" y=\"" + (TOP + 12) + "\" font-size=\"11\" fill=\"" + color + "\">" +
            HtmlReport.escape(label) + "</text>");
        return this;
    }

    SvgChart band(final double x0, final double x1, final String color)
    {
        final double a = px(x0);
        final double b = px(x1);
        body.add("<rect x=\"" + fmt(a) + "\" y=\"" + TOP + "\" width=\"" + fmt(Math.max(1, b - a)) + "\" height=\"" +
            (HEIGHT - TOP - BOTTOM) + "\" fill=\"" + color + "\" fill-opacity=\"0.2\"/>");
        return this;
    }

    String render()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
            .append(HEIGHT).append("\" font-family=\"sans-serif\" role=\"img\"><title>").append(HtmlReport.escape(title))
            .append("</title>");
        sb.append("<text x=\"").append(LEFT).append("\" y=\"18\" font-size=\"14\" font-weight=\"bold\">")
            .append(HtmlReport.escape(title)).append("</text>");
        sb.append("<text x=\"").append(WIDTH - RIGHT).append("\" y=\"18\" font-size=\"12\" text-anchor=\"end\">")
            .append(String.join(" ", legend)).append("</text>");
        sb.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
            .append(WIDTH - LEFT - RIGHT).append("\" height=\"").append(HEIGHT - TOP - BOTTOM)
            .append("\" fill=\"none\" stroke=\"#888\"/>");
        for (final double[] tick : yTicks())
        {
            final double y = py(tick[0]);
            sb.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"")
                .append(fmt(y)).append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#eee\"/>");
            sb.append("<text x=\"").append(LEFT - 5).append("\" y=\"").append(fmt(y + 4))
                .append("\" font-size=\"11\" text-anchor=\"end\">").append(number(tick[0])).append("</text>");
        }
        if (xTicks.isEmpty())
        {
            for (int i = 0; i <= 10; i++)
            {
                final double x = xMin + (xMax - xMin) * i / 10;
                xTick(x, number(x));
            }
        }
        for (int i = 0; i < xTicks.size(); i++)
        {
            final double x = px(xTicks.get(i)[0]);
            sb.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(HEIGHT - BOTTOM + 15)
                .append("\" font-size=\"11\" text-anchor=\"middle\">").append(HtmlReport.escape(xTickLabels.get(i)))
                .append("</text>");
        }
        sb.append("<text x=\"").append((LEFT + WIDTH - RIGHT) / 2).append("\" y=\"").append(HEIGHT - 8)
            .append("\" font-size=\"12\" text-anchor=\"middle\">").append(HtmlReport.escape(xLabel)).append("</text>");
        sb.append("<text transform=\"translate(14,").append((TOP + HEIGHT - BOTTOM) / 2)
            .append(") rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">").append(HtmlReport.escape(yLabel))
            .append("</text>");
        for (final String element : body)
        {
            sb.append(element);
        }
        return sb.append("</svg>").toString();
    }

    private List<double[]> yTicks()
    {
        final List<double[]> ticks = new ArrayList<>();
        if (logY)
        {
            for (double v = yMin; v <= yMax * 1.0001; v *= 10)
            {
                ticks.add(new double[]{v});
            }
        }
        else
        {
            for (int i = 0; i <= 5; i++)
            {
                ticks.add(new double[]{yMin + (yMax - yMin) * i / 5});
            }
        }
        return ticks;
    }

    private double px(final double x)
    {
        final double clamped = Math.max(xMin, Math.min(xMax, x));
        return LEFT + (clamped - xMin) / (xMax - xMin) * (WIDTH - LEFT - RIGHT);
    }

    private double py(final double y)
    {
        final double fraction;
        if (logY)
        {
            final double v = Math.max(yMin, Math.min(yMax, y));
            fraction = (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin));
        }
        else
        {
            fraction = (Math.max(yMin, Math.min(yMax, y)) - yMin) / (yMax - yMin);
        }
        return HEIGHT - BOTTOM - fraction * (HEIGHT - TOP - BOTTOM);
    }

    private static String fmt(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String number(final double value)
    {
        if (value >= 1e6)
        {
            return String.format(Locale.ROOT, "%.3gM", value / 1e6);
        }
        if (value >= 1e3)
        {
            return String.format(Locale.ROOT, "%.3gk", value / 1e3);
        }
        return String.format(Locale.ROOT, "%.3g", value);
    }
}
