package io.chainkv.perf;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads latency figures out of nanosecond histograms, in microseconds.
 */
public final class Percentiles
{
    private static final int TICKS_PER_HALF_DISTANCE = 5;
    private static final int MAX_POINTS = 200;

    private Percentiles()
    {
    }

    /**
     * @param histogram  nanoseconds.
     * @param percentile 0..100.
     * @return the value at that percentile in microseconds, 0 for an empty histogram.
     */
    public static double us(final Histogram histogram, final double percentile)
    {
        return 0 == histogram.getTotalCount() ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    public static double maxUs(final Histogram histogram)
    {
        return 0 == histogram.getTotalCount() ? 0 : histogram.getMaxValue() / 1000.0;
    }

    public static double meanUs(final Histogram histogram)
    {
        return 0 == histogram.getTotalCount() ? 0 : histogram.getMean() / 1000.0;
    }

    /**
     * @param histogram nanoseconds.
     * @return (percentile, microseconds) points of the percentile curve, as HdrHistogram's .hgrm has them.
     */
    public static List<double[]> curve(final Histogram histogram)
    {
        final List<double[]> points = new ArrayList<>();
        if (0 == histogram.getTotalCount())
        {
            return points;
        }
        for (final HistogramIterationValue value : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            points.add(new double[]{value.getPercentileLevelIteratedTo(), value.getValueIteratedTo() / 1000.0});
            if (points.size() >= MAX_POINTS || value.getPercentileLevelIteratedTo() >= 100.0)
            {
                break;
            }
        }
        return points;
    }
}
