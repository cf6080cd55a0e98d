package io.chainkv.master.cli;

import io.chainkv.security.KeyRing;
import io.chainkv.security.KeyRole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;

/**
 * {@code chainctl generate-keys}: writes a new key file (docs/security.md), readable by its owner only; or, with
 * {@code --clients-of}, the file an application gets: the client keys of a cluster's file, without its member key.
 * Needs no cluster: the keys exist before the cluster does.
 */
@Command(name = "generate-keys", description = "Writes a new key file with fresh random keys (a member key and a " +
    "client key) for a cluster's nodes and masters; with --clients-of, the client keys of a cluster's key file, " +
    "for applications.")
final class GenerateKeysCommand implements Callable<Integer>
{
    @ParentCommand
    ChainCtl ctl;

    @Option(names = "--out", required = true, paramLabel = "<file>", description = "The file to create; never " +
        "overwritten.")
    Path out;

    @Option(names = "--clients-of", paramLabel = "<cluster key file>", description = "Write the client keys of " +
        "this cluster key file instead of new keys: applications get these, never the member key.")
    Path clientsOf;

    public Integer call() throws IOException
    {
        try
        {
            if (null == clientsOf)
            {
                KeyRing.generateFile(out, EnumSet.allOf(KeyRole.class));
            }
            else
            {
                final KeyRing cluster = KeyRing.load(clientsOf);
                if (!cluster.has(KeyRole.CLIENT))
                {
                    throw new CtlException(ChainCtl.EXIT_USAGE, clientsOf + " holds no client key");
                }
                KeyRing.writeFile(out, cluster.toText(KeyRole.CLIENT));
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CtlException(ChainCtl.EXIT_USAGE, ex.getMessage());
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new CtlException(ChainCtl.EXIT_USAGE, out + " exists; keys are never overwritten (move it away " +
                "first, or rotate as docs/security.md describes)");
        }
        ctl.out().println(null == clientsOf ?
            "wrote " + out + " (member and client keys, mode 600): start every node and master with --key-file " + out :
            "wrote " + out + " (the client keys of " + clientsOf + ", mode 600): give it to applications " +
            "(ClientConfig.keyFile or -Dchainkv.key.file)");
        return ChainCtl.EXIT_OK;
    }
}
