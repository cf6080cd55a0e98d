package io.chainkv.master.cli;

import io.chainkv.cluster.ZooKeeperCredentials;
import io.chainkv.cluster.ZooKeeperPrincipal;
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
 * {@code chainctl generate-keys}: writes a new key file (docs/security.md), readable by its owner only, with a member
 * key, a client key and a ZooKeeper password per principal; or, with {@code --clients-of}, the file an application
 * gets: the client keys of a cluster's file, without its member key or ZooKeeper passwords; or, with
 * {@code --zookeeper-for}, a process's file: the frame keys and only one principal's ZooKeeper password.
 * Needs no cluster: the keys exist before the cluster does.
 */
@Command(name = "generate-keys", description = "Writes a new key file with fresh random keys (a member key, a " +
    "client key and ZooKeeper passwords for the master, node and operator principals) for a cluster's nodes, " +
    "masters and chainctl; with --clients-of, the client keys of a cluster's key file, for applications; with " +
    "--from and --zookeeper-for, a copy that can log in to ZooKeeper as one principal only.")
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

    @Option(names = "--zookeeper-for", paramLabel = "<master|node|operator>", description = "With --from: write " +
        "the frame keys of that file and the ZooKeeper password of this principal only (the others as digests, " +
        "which name them in ACLs but cannot log in): give nodes, masters and operators each their own.")
    String zooKeeperFor;

    @Option(names = "--from", paramLabel = "<cluster key file>", description = "The cluster key file " +
        "--zookeeper-for copies from.")
    Path from;

    public Integer call() throws IOException
    {
        try
        {
            if (null != zooKeeperFor || null != from)
            {
                writeFor();
                return ChainCtl.EXIT_OK;
            }
            if (null == clientsOf)
            {
                KeyRing.writeFile(out, KeyRing.generate(EnumSet.allOf(KeyRole.class)) + ZooKeeperCredentials.generate());
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
            "wrote " + out + " (member and client keys, ZooKeeper passwords; mode 600): start every node and master, " +
            "and run chainctl, with --key-file " + out :
            "wrote " + out + " (the client keys of " + clientsOf + ", mode 600): give it to applications " +
            "(ClientConfig.keyFile or -Dchainkv.key.file)");
        return ChainCtl.EXIT_OK;
    }

    private void writeFor() throws IOException
    {
        final ZooKeeperPrincipal principal = null == zooKeeperFor ? null : ZooKeeperPrincipal.ofWord(zooKeeperFor);
        if (null == principal || null == from || null != clientsOf)
        {
            throw new CtlException(ChainCtl.EXIT_USAGE, "--zookeeper-for takes master, node or operator, and " +
                "--from the cluster key file to copy from (not with --clients-of)");
        }
        final KeyRing keys = KeyRing.load(from);
        final String text = (keys.has(KeyRole.MEMBER) ? keys.toText(KeyRole.MEMBER) : "") +
            (keys.has(KeyRole.CLIENT) ? keys.toText(KeyRole.CLIENT) : "") +
            ZooKeeperCredentials.load(from).toText(principal);
        KeyRing.writeFile(out, text);
        ctl.out().println("wrote " + out + " (the frame keys of " + from + " and the ZooKeeper login of " +
            principal.user() + ", mode 600)");
    }
}
