package io.chainkv.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Faults on a cluster started by {@code scripts/local-cluster.sh}: runs its {@code kill} and
 * {@code start-node} commands, which signal only the processes that script started in its directory.
 */
public final class LocalClusterFaults implements FaultInjector
{
    private final Path script;
    private final Path clusterDir;

    /**
     * @param script     path of scripts/local-cluster.sh.
     * @param clusterDir the cluster's directory (its --dir).
     */
    public LocalClusterFaults(final Path script, final Path clusterDir)
    {
        if (!Files.isRegularFile(script))
        {
            throw new IllegalArgumentException("no cluster script at " + script);
        }
        this.script = script;
        this.clusterDir = clusterDir;
    }

    public String kill9(final String nodeId) throws IOException, InterruptedException
    {
        return run("kill", nodeId);
    }

    public String restart(final String nodeId) throws IOException, InterruptedException
    {
        return run("start-node", nodeId);
    }

    /**
     * @param nodeId a node to SIGSTOP.
     * @return what the script said.
     * @throws IOException          if the script cannot run.
     * @throws InterruptedException if interrupted.
     */
    public String pause(final String nodeId) throws IOException, InterruptedException
    {
        return run("pause", nodeId);
    }

    /**
     * @param nodeId a paused node to SIGCONT.
     * @return what the script said.
     * @throws IOException          if the script cannot run.
     * @throws InterruptedException if interrupted.
     */
    public String resume(final String nodeId) throws IOException, InterruptedException
    {
        return run("resume", nodeId);
    }

    private String run(final String command, final String nodeId) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(
            List.of("bash", script.toString(), command, nodeId, "--dir", clusterDir.toString()))
            .redirectErrorStream(true)
            .start();
        if (!process.waitFor(2, TimeUnit.MINUTES))
        {
            process.destroyForcibly();
            throw new IllegalStateException(command + " " + nodeId + " did not finish in 2 minutes");
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (0 != process.exitValue())
        {
            throw new IllegalStateException(command + " " + nodeId + " failed (" + process.exitValue() + "): " + output);
        }
        return output;
    }
}
