package io.chainkv.master.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chainctl delete <key>}: deletes a key; prints OK, or NOT_FOUND and exits
 * {@value ChainCtl#EXIT_NOT_FOUND} if it was absent.
 */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes one key.")
final class DeleteCommand extends CtlCommand
{
    @Option(names = "--json", description = "Print {\"key\",\"deleted\"}.")
    private boolean json;

    @Parameters(index = "0", paramLabel = "<key>")
    private String key;

    public Integer call() throws Exception
    {
        try (ClusterClient cluster = ClusterClient.open(connection))
        {
            final boolean existed = cluster.client().delete(ClusterClient.utf8(key));
            ctl.out().println(json ? "{\"key\":" + Json.quote(key) + ",\"deleted\":" + existed + "}" :
                existed ? "OK" : "NOT_FOUND");
            return existed ? ChainCtl.EXIT_OK : ChainCtl.EXIT_NOT_FOUND;
        }
    }
}
