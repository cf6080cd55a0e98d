package io.chainkv.perf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The fault timeline: which node to kill -9 or restart at which second of the measured window, parsed from
 * {@code --kill n2@10 --restart n2@15}.
 */
public final class FaultPlan
{
    /**
     * One action.
     *
     * @param atSecond seconds after the measured window starts.
     * @param kill     true for kill -9, false for restart.
     * @param nodeId   the node.
     */
    public record Action(double atSecond, boolean kill, String nodeId)
    {
        public String name()
        {
            return kill ? "kill9" : "restart";
        }
    }

    private final List<Action> actions = new ArrayList<>();

    /**
     * @param spec {@code node@seconds}.
     * @param kill true for kill -9, false for restart.
     * @return this.
     */
    public FaultPlan add(final String spec, final boolean kill)
    {
        final int at = spec.lastIndexOf('@');
        if (at <= 0 || at == spec.length() - 1)
        {
            throw new IllegalArgumentException("fault '" + spec + "' must be node@seconds, e.g. n2@10");
        }
        final double seconds = Double.parseDouble(spec.substring(at + 1));
        if (seconds < 0)
        {
            throw new IllegalArgumentException("fault '" + spec + "': seconds must be >= 0");
        }
        actions.add(new Action(seconds, kill, spec.substring(0, at)));
        actions.sort(Comparator.comparingDouble(Action::atSecond));
        return this;
    }

    public List<Action> actions()
    {
        return actions;
    }

    public boolean isEmpty()
    {
        return actions.isEmpty();
    }
}
