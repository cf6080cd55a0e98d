package io.chainkv.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * A daemon thread that reads a process's {@link KeyFile} again whenever it changes, so a key issued or revoked with
 * {@code chainctl} takes effect within {@link #PERIOD_MS} ms without a restart (docs/security.md, "Issuing and
 * revoking client keys"). Off the data path: the agents only see a new generation.
 */
public final class KeyFileWatch implements AutoCloseable
{
    /** How often the file is checked. */
    public static final long PERIOD_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(KeyFileWatch.class);

    private final KeyFile keyFile;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Starts watching.
     *
     * @param keyFile    the file to watch.
     * @param threadName names the thread.
     */
    public KeyFileWatch(final KeyFile keyFile, final String threadName)
    {
        this.keyFile = keyFile;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void run()
    {
        while (running)
        {
            try
            {
                TimeUnit.MILLISECONDS.sleep(PERIOD_MS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            // Taking the new keys is logged by whoever uses them; only a refusal is said here.
            final String refusal = keyFile.reloadIfChanged();
            if (null != refusal)
            {
                LOG.error("the key file changed but was not taken: {}", refusal);
            }
        }
    }

    public void close()
    {
        running = false;
        thread.interrupt();
    }
}
