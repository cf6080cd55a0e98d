package io.chainkv.master.harness;

import io.chainkv.master.zk.EmbeddedZooKeeper;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One server of a real ZooKeeper ensemble in its own process, for {@link LocalCluster}'s ensemble mode: ZooKeeper's own
 * {@link QuorumPeerMain}, configured from the command line, with the short tick ChainKV's sub-second sessions need.
 * <pre>
 * EnsembleServerMain &lt;id&gt; &lt;dataDir&gt; &lt;tickMs&gt; &lt;syncLimit&gt; &lt;server&gt;...
 *   server: id=host:clientPort:quorumPort:electionPort, one per member of the ensemble
 * </pre>
 * Prints {@value #READY_PREFIX}{@code id=<id> mode=<leader|follower>} once its client port answers {@code srvr} with a
 * quorum mode, i.e. once the ensemble has a leader and this server follows it or leads. Runs until killed; the data
 * directory keeps its log and snapshots, so a restart on it rejoins the ensemble.
 */
public final class EnsembleServerMain
{
    /** What the process prints once it serves. */
    public static final String READY_PREFIX = "chainkv-ensemble-server ready ";

    private EnsembleServerMain()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception if the server cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final int id = Integer.parseInt(args[0]);
        final Path dataDir = Path.of(args[1]).toAbsolutePath();
        final int tickMs = Integer.parseInt(args[2]);
        final int syncLimit = Integer.parseInt(args[3]);
        String host = null;
        int clientPort = -1;
        final List<String> lines = new ArrayList<>(List.of(
            "tickTime=" + tickMs,
            "initLimit=" + Math.max(10, 2 * syncLimit),
            "syncLimit=" + syncLimit,
            "dataDir=" + dataDir,
            "minSessionTimeout=" + 2 * tickMs,
            "maxSessionTimeout=" + Math.max(EmbeddedZooKeeper.MAX_SESSION_TIMEOUT_MS, 20 * tickMs),
            "4lw.commands.whitelist=srvr,ruok,cons,mntr",
            "admin.enableServer=false",
            "standaloneEnabled=false",
            "reconfigEnabled=false"));
        for (int i = 4; i < args.length; i++)
        {
            final String[] idAndAddress = args[i].split("=", 2);
            final String[] parts = idAndAddress[1].split(":");
            lines.add("server." + idAndAddress[0] + "=" + parts[0] + ":" + parts[2] + ":" + parts[3]);
            if (Integer.parseInt(idAndAddress[0]) == id)
            {
                host = parts[0];
                clientPort = Integer.parseInt(parts[1]);
            }
        }
        if (null == host)
        {
            throw new IllegalArgumentException("server " + id + " is not among the servers given");
        }
        lines.add("clientPortAddress=" + host);
        lines.add("clientPort=" + clientPort);
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("myid"), id + "\n", StandardCharsets.US_ASCII);
        final Path cfg = dataDir.resolve("zoo.cfg");
        Files.write(cfg, lines, StandardCharsets.UTF_8);

        System.setProperty("zookeeper.4lw.commands.whitelist", "srvr,ruok,cons,mntr");
        final QuorumPeerConfig config = new QuorumPeerConfig();
        config.parse(cfg.toString());
        final Thread server = new Thread(() ->
        {
            try
            {
                new QuorumPeerMain().runFromConfig(config);
            }
            catch (final Exception ex)
            {
                ex.printStackTrace();
            }
            System.exit(1);
        }, "quorum-peer-" + id);
        server.start();

        final String finalHost = host;
        final int finalPort = clientPort;
        while (true)
        {
            try
            {
                final String answer = EmbeddedZooKeeper.fourLetterWord(finalHost, finalPort, "srvr", 1000);
                final int at = answer.indexOf("Mode: ");
                if (at >= 0)
                {
                    final String mode = answer.substring(at + 6).split("\\s")[0];
                    if ("leader".equals(mode) || "follower".equals(mode))
                    {
                        System.out.println(READY_PREFIX + "id=" + id + " mode=" + mode + " connect=" + finalHost + ":" +
                            finalPort);
                        System.out.flush();
                        break;
                    }
                }
            }
            catch (final IOException ex)
            {
                // Not serving yet.
            }
            Thread.sleep(50);
        }
        server.join();
    }
}
