package io.chainkv.master.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.apache.curator.framework.CuratorFramework;

import java.util.concurrent.TimeUnit;

/**
 * {@code chainctl status}: the cluster epoch; each chain head to tail; each member's role, state, applied and
 * committed seq, lag and store use (from its metrics endpoint); the spares; the masters and the leader.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Prints the epoch, each chain head to tail with each node's role, state, progress and store use, " +
        "the spares and the masters.")
final class StatusCommand extends CtlCommand
{
    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    private boolean json;

    @Option(names = "--wait-ms", defaultValue = "0", paramLabel = "<ms>",
        description = "Wait up to this long for a configuration with at least --min-epoch (default: no wait).")
    private long waitMs;

    @Option(names = "--min-epoch", defaultValue = "1", paramLabel = "<epoch>",
        description = "With --wait-ms: the cluster epoch to wait for (default: ${DEFAULT-VALUE}).")
    private long minEpoch;

    @Option(names = "--probe-timeout-ms", defaultValue = "2000", paramLabel = "<ms>",
        description = "How long to wait for each node's metrics endpoint (default: ${DEFAULT-VALUE}); 0 skips them.")
    private long probeTimeoutMs;

    public Integer call() throws Exception
    {
        try (CuratorFramework client = connection.connect())
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            ClusterStatus status = ClusterStatus.read(client, connection.paths());
            while (!reached(status) && System.nanoTime() < deadlineNs)
            {
                Thread.sleep(50);
                status = ClusterStatus.read(client, connection.paths());
            }
            final StatusReport report = StatusReport.probe(status, probeTimeoutMs);
            ctl.out().print(json ? report.toJson() + "\n" : report.toText());
            ctl.out().flush();
            if (null == status.config())
            {
                return ChainCtl.EXIT_NO_CONFIGURATION;
            }
            if (!reached(status))
            {
                ctl.err().println("chainctl: epoch " + status.config().epoch() + " after " + waitMs +
                    " ms, not yet " + minEpoch);
                return ChainCtl.EXIT_NO_CONFIGURATION;
            }
            return ChainCtl.EXIT_OK;
        }
    }

    private boolean reached(final ClusterStatus status)
    {
        return null != status.config() && status.config().epoch() >= minEpoch;
    }
}
