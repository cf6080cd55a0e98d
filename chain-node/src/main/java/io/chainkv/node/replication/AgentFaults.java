package io.chainkv.node.replication;

import io.chainkv.node.FaultHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Test hook {@link FaultHooks#AGENT_FAULT_DIR_PROP}: kills or wedges the replication agent's thread from inside its
 * duty cycle when a test drops a file, so tests can check that such a node gives up its place (docs/failures.md, "The
 * replication thread dies or is stuck"). Never made unless the property is set.
 */
final class AgentFaults
{
    private static final Logger LOG = LoggerFactory.getLogger(AgentFaults.class);
    private static final long CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(FaultHooks.AGENT_FAULT_CHECK_MS);

    private final String nodeId;
    private final Path errorFile;
    private final Path wedgeFile;
    private long nextCheckNs;

    AgentFaults(final String nodeId, final Path dir)
    {
        this.nodeId = nodeId;
        this.errorFile = dir.resolve(nodeId + FaultHooks.AGENT_ERROR_SUFFIX);
        this.wedgeFile = dir.resolve(nodeId + FaultHooks.AGENT_WEDGE_SUFFIX);
    }

    /**
     * @return the hook if a test asked for it, else null.
     */
    static AgentFaults fromSystemProperties(final String nodeId)
    {
        return null == FaultHooks.AGENT_FAULT_DIR ? null : new AgentFaults(nodeId, Path.of(FaultHooks.AGENT_FAULT_DIR));
    }

    /**
     * Called from the duty cycle; looks for the files at most every {@value FaultHooks#AGENT_FAULT_CHECK_MS} ms.
     *
     * @param nowNs {@link System#nanoTime()}.
     */
    void injectIfAsked(final long nowNs)
    {
        if (nowNs - nextCheckNs < 0)
        {
            return;
        }
        nextCheckNs = nowNs + CHECK_INTERVAL_NS;
        try
        {
            if (Files.deleteIfExists(errorFile))
            {
                LOG.warn("node={} test hook: throwing an Error on the replication thread", nodeId);
                throw new InternalError("test hook " + FaultHooks.AGENT_FAULT_DIR_PROP + ": replication thread killed");
            }
            if (Files.exists(wedgeFile))
            {
                final String text = Files.readString(wedgeFile).strip();
                Files.delete(wedgeFile);
                final long wedgeMs = text.isEmpty() ? Long.MAX_VALUE : Long.parseLong(text);
                LOG.warn("node={} test hook: the replication thread sleeps inside its duty cycle for {}", nodeId,
                    Long.MAX_VALUE == wedgeMs ? "ever" : wedgeMs + " ms");
                sleep(wedgeMs);
                LOG.warn("node={} test hook: the replication thread goes on", nodeId);
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            LOG.warn("node={} test hook: cannot read {}: {}", nodeId, wedgeFile, ex.toString());
        }
    }

    private static void sleep(final long ms)
    {
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(ms, TimeUnit.DAYS.toMillis(365)));
        long leftNs;
        while ((leftNs = endNs - System.nanoTime()) > 0)
        {
            try
            {
                TimeUnit.NANOSECONDS.sleep(leftNs);
            }
            catch (final InterruptedException ex)
            {
                // Closing: let the runner stop the thread.
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
