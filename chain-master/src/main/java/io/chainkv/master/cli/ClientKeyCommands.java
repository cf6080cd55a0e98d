package io.chainkv.master.cli;

import io.chainkv.security.ClientIds;
import io.chainkv.security.KeyFileWatch;
import io.chainkv.security.KeyRing;
import io.chainkv.security.KeyRole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code chainctl issue-client-key} and {@code revoke-client-key}: each application gets a client key of its own, so
 * one cannot act as another (docs/security.md, "Per-client keys"). Both edit the cluster's key file in place, at once
 * (a new file renamed over the old), and nodes reading that file take the change within a second, without a restart.
 * Need no cluster: keys are files.
 */
public final class ClientKeyCommands
{
    private ClientKeyCommands()
    {
    }

    /**
     * Adds a fresh client key to the cluster's key file and writes it alone to the application's file.
     */
    @Command(name = "issue-client-key", mixinStandardHelpOptions = true, description = "Issues a client key of its " +
        "own to an application: adds a fresh key to the cluster's key file and writes it alone to --out.")
    public static final class Issue implements Callable<Integer>
    {
        @ParentCommand
        ChainCtl ctl;

        @Option(names = "--cluster-keys", required = true, paramLabel = "<file>",
            description = "The cluster's key file (the one nodes read with --key-file); changed in place.")
        Path clusterKeys;

        @Option(names = "--out", required = true, paramLabel = "<file>",
            description = "The application's key file to create; never overwritten.")
        Path out;

        @Option(names = "--id", paramLabel = "<1..65535>",
            description = "The new key's id (default: one above the cluster's highest client key id).")
        Integer id;

        public Integer call() throws IOException
        {
            final KeyRing cluster = load(clusterKeys);
            final int keyId = null == id ? cluster.nextClientKeyId() : id;
            if (keyId <= 0 || keyId > ClientIds.MAX_CLIENT_KEY_ID)
            {
                throw new CtlException(ChainCtl.EXIT_USAGE, "a client key id is 1.." + ClientIds.MAX_CLIENT_KEY_ID +
                    ", not " + keyId);
            }
            if (null != cluster.roleOf(keyId))
            {
                throw new CtlException(ChainCtl.EXIT_USAGE, clusterKeys + " already holds a key with id " + keyId +
                    ": choose another --id, or leave it out");
            }
            final String line = KeyRing.newKeyLine(KeyRole.CLIENT, keyId);
            try
            {
                // The application's file first: if it cannot be made, the cluster's file is unchanged.
                KeyRing.writeFile(out, "# ChainKV client key " + keyId + " issued from " + clusterKeys +
                    " (docs/security.md): keep this file secret (mode 600).\n" + line);
            }
            catch (final FileAlreadyExistsException ex)
            {
                throw new CtlException(ChainCtl.EXIT_USAGE, out + " exists; keys are never overwritten (move it " +
                    "away first)");
            }
            final String text = Files.readString(clusterKeys, StandardCharsets.US_ASCII);
            KeyRing.replaceFile(clusterKeys, text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + line);
            ctl.out().println("issued client key " + keyId + ": wrote " + out + " (mode 600) for the application " +
                "(ClientConfig.keyFile or -Dchainkv.key.file) and added the key to " + clusterKeys + ". Nodes reading " +
                clusterKeys + " accept it within " + KeyFileWatch.PERIOD_MS / 1000 + " s; copy the file to every " +
                "node's machine that has its own copy.");
            return ChainCtl.EXIT_OK;
        }
    }

    /**
     * Removes a client key from the cluster's key file: frames signed with it are dropped from then on.
     */
    @Command(name = "revoke-client-key", mixinStandardHelpOptions = true, description = "Revokes a client key: " +
        "removes it from the cluster's key file, so nodes drop every frame signed with it.")
    public static final class Revoke implements Callable<Integer>
    {
        @ParentCommand
        ChainCtl ctl;

        @Option(names = "--cluster-keys", required = true, paramLabel = "<file>",
            description = "The cluster's key file (the one nodes read with --key-file); changed in place.")
        Path clusterKeys;

        @Option(names = "--id", required = true, paramLabel = "<id>", description = "The client key to revoke.")
        int id;

        public Integer call() throws IOException
        {
            final KeyRing cluster = load(clusterKeys);
            final KeyRole role = cluster.roleOf(id);
            if (KeyRole.MEMBER == role)
            {
                throw new CtlException(ChainCtl.EXIT_USAGE, "key " + id + " of " + clusterKeys + " is the member " +
                    "key, not a client key: rotate it as docs/security.md describes");
            }
            if (null == role)
            {
                throw new CtlException(ChainCtl.EXIT_NOT_FOUND, clusterKeys + " holds no client key " + id);
            }
            final String rest = KeyRing.withoutKey(Files.readString(clusterKeys, StandardCharsets.US_ASCII), id);
            if (!KeyRing.parse(rest, clusterKeys.toString()).has(KeyRole.CLIENT))
            {
                throw new CtlException(ChainCtl.EXIT_USAGE, "client key " + id + " is the last client key of " +
                    clusterKeys + ", and nodes need one to answer clients: issue another first");
            }
            KeyRing.replaceFile(clusterKeys, rest);
            ctl.out().println("revoked client key " + id + ": removed it from " + clusterKeys + ". Nodes reading it " +
                "drop frames signed with it within " + KeyFileWatch.PERIOD_MS / 1000 + " s (copy the file to every " +
                "node's machine that has its own copy); the sessions it opened end after the nodes' " +
                "--client-session-timeout-ms.");
            return ChainCtl.EXIT_OK;
        }
    }

    private static KeyRing load(final Path clusterKeys)
    {
        try
        {
            final KeyRing cluster = KeyRing.load(clusterKeys);
            if (!cluster.has(KeyRole.MEMBER))
            {
                throw new CtlException(ChainCtl.EXIT_USAGE, clusterKeys + " holds no member key: give the cluster's " +
                    "key file, not an application's");
            }
            return cluster;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CtlException(ChainCtl.EXIT_USAGE, ex.getMessage());
        }
    }
}
