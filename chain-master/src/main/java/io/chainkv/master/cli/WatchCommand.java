package io.chainkv.master.cli;

import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chainctl watch}: {@code status}, refreshed live until interrupted (or {@code --count} times). On a
 * terminal each refresh replaces the last; with {@code --json} each refresh is one line (JSON Lines).
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Shows the status, refreshed every --interval-ms, until interrupted.")
final class WatchCommand extends CtlCommand
{
    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Option(names = "--json", description = "Print one JSON object per refresh, one per line.")
    private boolean json;

    @Option(names = "--interval-ms", defaultValue = "1000", paramLabel = "<ms>",
        description = "Time between refreshes (default: ${DEFAULT-VALUE}).")
    private long intervalMs;

    @Option(names = "--count", defaultValue = "0", paramLabel = "<n>",
        description = "Stop after this many refreshes (default: never).")
    private long count;

    public Integer call() throws Exception
    {
        if (intervalMs < 1)
        {
            throw new CtlException(ChainCtl.EXIT_USAGE, "--interval-ms must be positive, was " + intervalMs);
        }
        final boolean terminal = null != System.console() && !json;
        final long probeTimeoutMs = Math.max(1000, Math.min(2000, intervalMs));
        try (CuratorFramework client = connection.connect())
        {
            for (long i = 0; 0 == count || i < count; i++)
            {
                if (i > 0)
                {
                    Thread.sleep(intervalMs);
                }
                final StatusReport report =
                    StatusReport.probe(ClusterStatus.read(client, connection.paths()), probeTimeoutMs);
                if (json)
                {
                    ctl.out().println(report.toJson());
                }
                else
                {
                    ctl.out().print((terminal ? CLEAR_SCREEN : (i > 0 ? "\n" : "")) + java.time.LocalTime.now()
                        .withNano(0) + "\n" + report.toText());
                }
                ctl.out().flush();
            }
        }
        return ChainCtl.EXIT_OK;
    }
}
