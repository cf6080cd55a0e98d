package io.chainkv.master.cli;

import java.util.HashMap;
import java.util.Map;

/**
 * What a node's metrics endpoint says about its progress and store, as chainctl shows it: read from the node's
 * Prometheus text ({@code /metrics}) so the numbers are the ones an operator's dashboards show. Absent metrics
 * are null.
 */
final class NodeProgress
{
    final Long epoch;
    final String role;
    final Long appliedSeq;
    final Long committedSeq;
    final Long sentList;
    final Long commitWaitMs;
    final Long storeEntries;
    final Long storeBytes;
    final Long capacityEntries;
    final Long capacityBytes;
    final Long sessions;
    final Long sessionCapacity;
    final String error;

    private NodeProgress(final Map<String, Double> values, final String role, final String error)
    {
        this.epoch = value(values, "chainkv_node_epoch");
        this.role = role;
        this.appliedSeq = value(values, "chainkv_node_applied_seq");
        this.committedSeq = value(values, "chainkv_node_committed_seq");
        this.sentList = value(values, "chainkv_node_sent_list_updates");
        final Double lagSeconds = values.get("chainkv_node_replication_lag_seconds");
        this.commitWaitMs = null == lagSeconds || lagSeconds.isNaN() ? null : Math.round(lagSeconds * 1000);
        this.storeEntries = value(values, "chainkv_node_store_entries");
        this.storeBytes = value(values, "chainkv_node_store_data_bytes");
        this.capacityEntries = value(values, "chainkv_node_store_capacity_entries");
        this.capacityBytes = value(values, "chainkv_node_store_capacity_bytes");
        this.sessions = value(values, "chainkv_node_client_sessions");
        this.sessionCapacity = value(values, "chainkv_node_client_sessions_capacity");
        this.error = error;
    }

    /**
     * @param why why the node's endpoint could not be read.
     * @return progress with no numbers, only the reason.
     */
    static NodeProgress unreachable(final String why)
    {
        return new NodeProgress(Map.of(), null, why);
    }

    /**
     * @param text a node's {@code /metrics} answer in Prometheus text format.
     * @return the values chainctl shows.
     */
    static NodeProgress parse(final String text)
    {
        final Map<String, Double> values = new HashMap<>();
        String role = null;
        for (final String line : text.split("\n"))
        {
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int space = line.lastIndexOf(' ');
            if (space < 0)
            {
                continue;
            }
            final String series = line.substring(0, space);
            final double value;
            try
            {
                value = Double.parseDouble(line.substring(space + 1));
            }
            catch (final NumberFormatException ex)
            {
                continue;
            }
            if (series.startsWith("chainkv_node_role{"))
            {
                if (value == 1)
                {
                    final int quote = series.indexOf('"');
                    role = series.substring(quote + 1, series.indexOf('"', quote + 1));
                }
            }
            else if (series.indexOf('{') < 0)
            {
                values.put(series, value);
            }
        }
        return new NodeProgress(values, role, null);
    }

    private static Long value(final Map<String, Double> values, final String name)
    {
        final Double value = values.get(name);
        return null == value || value.isNaN() ? null : Math.round(value);
    }
}
