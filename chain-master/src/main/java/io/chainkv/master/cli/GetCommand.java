package io.chainkv.master.cli;

import io.chainkv.client.VersionedValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;

/**
 * {@code chainctl get <key>}: reads a key from the tail; prints the value (UTF-8), or NOT_FOUND and exits
 * {@value ChainCtl#EXIT_NOT_FOUND}.
 */
@Command(name = "get", mixinStandardHelpOptions = true, description = "Reads one key (from the tail).")
final class GetCommand extends CtlCommand
{
    @Option(names = "--json", description = "Print {\"key\",\"found\",\"version\",\"value\"}.")
    private boolean json;

    @Option(names = "--with-version", description = "Print version=<n> on a line before the value.")
    private boolean withVersion;

    @Parameters(index = "0", paramLabel = "<key>")
    private String key;

    public Integer call() throws Exception
    {
        try (ClusterClient cluster = ClusterClient.open(connection))
        {
            final VersionedValue value = cluster.client().get(ClusterClient.utf8(key));
            if (json)
            {
                ctl.out().println("{\"key\":" + Json.quote(key) + ",\"found\":" + (null != value) +
                    ",\"version\":" + (null == value ? "null" : value.version()) + ",\"value\":" +
                    (null == value ? "null" : Json.quote(new String(value.value(), StandardCharsets.UTF_8))) + "}");
            }
            else if (null == value)
            {
                ctl.out().println("NOT_FOUND");
            }
            else
            {
                if (withVersion)
                {
                    ctl.out().println("version=" + value.version());
                }
                ctl.out().println(new String(value.value(), StandardCharsets.UTF_8));
            }
            return null == value ? ChainCtl.EXIT_NOT_FOUND : ChainCtl.EXIT_OK;
        }
    }
}
