package io.chainkv.master.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chainctl put <key> <value>}: writes a key through the head; prints the version the chain gave it once
 * the tail has applied it.
 */
@Command(name = "put", mixinStandardHelpOptions = true, description = "Writes one key; prints its new version.")
final class PutCommand extends CtlCommand
{
    @Option(names = "--json", description = "Print {\"key\",\"version\"}.")
    private boolean json;

    @Parameters(index = "0", paramLabel = "<key>")
    private String key;

    @Parameters(index = "1", paramLabel = "<value>")
    private String value;

    public Integer call() throws Exception
    {
        try (ClusterClient cluster = ClusterClient.open(connection))
        {
            final long version = cluster.client().put(ClusterClient.utf8(key), ClusterClient.utf8(value));
            ctl.out().println(json ? "{\"key\":" + Json.quote(key) + ",\"version\":" + version + "}" :
                "OK version=" + version);
            return ChainCtl.EXIT_OK;
        }
    }
}
