package io.chainkv.master.cli;

import io.chainkv.client.ChainKvException;
import io.chainkv.client.RequestTimeoutException;
import io.chainkv.client.UnavailableException;
import org.apache.zookeeper.KeeperException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * The operator's command line for a cluster in ZooKeeper. Each subcommand is one class; they share where the
 * cluster is ({@link CtlConnection}) and how they print (human text by default, {@code --json} for scripts):
 * <pre>
 * chainctl status   [--json] [--wait-ms MS [--min-epoch N]]   epoch, chains, roles, states, progress, store use
 * chainctl watch    [--json] [--interval-ms MS] [--count N]   status refreshed live
 * chainctl masters  [--json]                                  the masters, leader first
 * chainctl get|put|delete ...                                 one key, through the client library, for debugging
 * chainctl backup|restore ...                                 see {@link BackupCommands}
 * chainctl drain|add-node NODE, remove-node NODE [--yes|--dry-run]   see {@link MembershipCommands}
 * </pre>
 * Every subcommand is a {@link CtlCommand} and so takes {@code --zk host:port,...}, {@code --cluster name},
 * {@code --timeout-ms} (how long to try to reach ZooKeeper) and {@code --verbose}, and reaches ZooKeeper the one
 * way {@link CtlConnection} does.
 * <p>
 * Exit status: {@value #EXIT_OK} ok; {@value #EXIT_USAGE} bad usage or an unexpected error;
 * {@value #EXIT_NO_ZOOKEEPER} ZooKeeper cannot be reached; {@value #EXIT_NO_CONFIGURATION} no configuration yet (or,
 * with {@code --wait-ms}, none at {@code --min-epoch} in time; the rest of the status is still printed);
 * {@value #EXIT_NOT_FOUND} the key is absent (get, delete), or the cluster or node named is not there (drain,
 * remove-node, add-node); {@value #EXIT_UNAVAILABLE} the cluster did not answer
 * in time (the outcome of a write is unknown); {@value #EXIT_REFUSED} the cluster refused the request (too large,
 * store full, ...). Errors are one line on stderr that says what to do.
 */
@Command(
    name = "chainctl",
    mixinStandardHelpOptions = true,
    description = "Inspects and operates a ChainKV cluster in ZooKeeper.",
    subcommands = {
        StatusCommand.class, WatchCommand.class, MastersCommand.class,
        GetCommand.class, PutCommand.class, DeleteCommand.class,
        BackupCommands.Backup.class, BackupCommands.Restore.class,
        MembershipCommands.Drain.class, MembershipCommands.Remove.class, MembershipCommands.Add.class,
        GenerateKeysCommand.class, ClientKeyCommands.Issue.class, ClientKeyCommands.Revoke.class })
public final class ChainCtl
{
    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 1;
    /** Kept for callers of the first chainctl: bad usage and unexpected errors. */
    public static final int EXIT_ERROR = EXIT_USAGE;
    public static final int EXIT_NO_ZOOKEEPER = 2;
    public static final int EXIT_NO_CONFIGURATION = 3;
    public static final int EXIT_NOT_FOUND = 4;
    public static final int EXIT_UNAVAILABLE = 5;
    public static final int EXIT_REFUSED = 6;

    /** Default ensemble: a local ZooKeeper on its standard port. */
    public static final String DEFAULT_ZK = "127.0.0.1:2181";

    /** Default cluster name, the same as the master's and the node's. */
    public static final String DEFAULT_CLUSTER = "chainkv";

    private PrintStream out;
    private PrintStream err;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs one command.
     *
     * @param args command line.
     * @param out  where results go.
     * @param err  where error messages go.
     * @return the exit status.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final ChainCtl ctl = new ChainCtl();
        ctl.out = out;
        ctl.err = err;
        return new CommandLine(ctl)
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .setParameterExceptionHandler((ex, ignored) ->
            {
                err.println("chainctl: " + ex.getMessage() + " (see chainctl --help)");
                return EXIT_USAGE;
            })
            .setExecutionExceptionHandler((ex, cmd, parseResult) ->
            {
                err.println("chainctl: " + oneLine(describe(ex)));
                return exitCodeOf(ex);
            })
            .execute(args);
    }

    PrintStream out()
    {
        return out;
    }

    PrintStream err()
    {
        return err;
    }

    private static int exitCodeOf(final Exception ex)
    {
        if (ex instanceof CtlException)
        {
            return ((CtlException)ex).exitCode();
        }
        if (ex instanceof UnavailableException || ex instanceof RequestTimeoutException)
        {
            return EXIT_UNAVAILABLE;
        }
        if (ex instanceof ChainKvException)
        {
            return EXIT_REFUSED;
        }
        return EXIT_USAGE;
    }

    private static String describe(final Exception ex)
    {
        final String message = null != ex.getMessage() ? ex.getMessage() : ex.toString();
        if (ex instanceof UnavailableException || ex instanceof RequestTimeoutException)
        {
            return message + " (chainctl status shows the chain and which nodes are down)";
        }
        if (ex instanceof KeeperException.NoAuthException)
        {
            return message + ": ZooKeeper refused this chainctl's login (none, with --zookeeper-auth off, or a " +
                "'zookeeper operator' password of another cluster); give it the cluster's key file with --key-file " +
                "(docs/security.md, \"ZooKeeper\")";
        }
        return message;
    }

    private static String oneLine(final String text)
    {
        return text.replaceAll("[\\r\\n]+", " ");
    }
}
