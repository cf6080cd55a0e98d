package io.chainkv.master.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * What every chainctl subcommand has: where the cluster is and how to reach it ({@link CtlConnection}), and where
 * to print (the {@link ChainCtl} it runs under). One place, so no subcommand grows its own {@code --zk} or its own
 * way of connecting, with its own messages and exit codes.
 */
abstract class CtlCommand implements Callable<Integer>
{
    @ParentCommand
    ChainCtl ctl;

    @Mixin
    CtlConnection connection;
}
