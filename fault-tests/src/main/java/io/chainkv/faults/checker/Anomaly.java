package io.chainkv.faults.checker;

import io.chainkv.faults.history.Operation;

import java.util.List;

/**
 * Something a checker found that the store promised could not happen, with the operations that show it.
 *
 * @param checker  which checker found it, e.g. "linearizability".
 * @param key      the key concerned, or null when it concerns no one key.
 * @param what     one sentence saying what went wrong.
 * @param evidence the operations that show it, in invocation order.
 */
public record Anomaly(String checker, String key, String what, List<Operation> evidence)
{
    /**
     * @return the anomaly and its evidence, one operation per line.
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append('[').append(checker).append("] ");
        if (null != key)
        {
            sb.append("key ").append(key).append(": ");
        }
        sb.append(what).append('\n');
        for (final Operation op : evidence)
        {
            sb.append("    ").append(op).append('\n');
        }
        return sb.toString();
    }
}
