package io.chainkv.master.cli;

import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * {@code chainctl masters}: the masters taking part in the election, leader first. Exits
 * {@value ChainCtl#EXIT_NO_CONFIGURATION} when none runs, since nothing then repairs the cluster.
 */
@Command(name = "masters", mixinStandardHelpOptions = true,
    description = "Lists the masters in election order, the leader first.")
final class MastersCommand extends CtlCommand
{
    @Option(names = "--json", description = "Print a JSON array instead of lines.")
    private boolean json;

    public Integer call() throws Exception
    {
        final List<ClusterStatus.Master> masters;
        try (CuratorFramework client = connection.connect())
        {
            masters = ClusterStatus.readMasters(client, connection.paths());
        }
        if (json)
        {
            final StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < masters.size(); i++)
            {
                sb.append(i > 0 ? "," : "").append("{\"id\":").append(Json.quote(masters.get(i).id()))
                    .append(",\"leader\":").append(masters.get(i).leader()).append('}');
            }
            ctl.out().println(sb.append(']'));
        }
        else
        {
            for (final ClusterStatus.Master master : masters)
            {
                ctl.out().println(master.id() + (master.leader() ? "  leader" : "  standby"));
            }
        }
        if (masters.isEmpty())
        {
            ctl.err().println("chainctl: no master runs for cluster " + connection.cluster + "; nothing will splice " +
                "out a failed node until one starts (chainkv-master --zk ... --cluster " + connection.cluster + ")");
            return ChainCtl.EXIT_NO_CONFIGURATION;
        }
        return ChainCtl.EXIT_OK;
    }
}
