package io.chainkv.node.store;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Child process of {@link ChainStoreCrashRecoveryTest}: writes into a store without end, printing {@code W <seq>}
 * after every {@value #REPORT_EVERY}th write returns, until it is killed. Reporting only now and then keeps the
 * process inside store calls most of the time, so the kill usually lands in the middle of one.
 * <p>
 * Write {@code seq} goes to key {@link #keyOf(long)}; every seventh is a delete, the others a value of
 * {@link #valueLengthOf(long)} bytes in the pattern of {@code seq}. That lets the parent predict what every key must
 * hold after any reported write.
 */
public final class StoreWriterMain
{
    static final int KEYS = 2_000;
    static final String WRITE_PREFIX = "W ";
    static final int REPORT_EVERY = 16;
    static final String HOLD_LOCK = "hold-lock";
    static final String LOCK_HELD = "LOCK HELD";

    private StoreWriterMain()
    {
    }

    static StoreConfig config(final Path dir)
    {
        return StoreTestSupport.smallConfig(dir).maxEntries(KEYS).maxDataBytes(16L * StoreTestSupport.MIB);
    }

    static String keyOf(final long seq)
    {
        return "key-" + (seq % KEYS);
    }

    static boolean isDelete(final long seq)
    {
        return seq % 7 == 3;
    }

    static int valueLengthOf(final long seq)
    {
        // Mostly small, now and then 64 KiB, so a kill lands inside large copies too.
        return seq % 101 == 0 ? 64 * 1024 : (int)(50 + (seq * 37) % 2_000);
    }

    public static void main(final String[] args)
    {
        final PrintStream out = System.out;
        final ChainStore store = ChainStore.open(config(Path.of(args[0])));
        if (args.length > 1 && HOLD_LOCK.equals(args[1]))
        {
            holdLockForever(store, out);
        }
        final UnsafeBuffer largest = new UnsafeBuffer(new byte[64 * 1024]);
        for (long seq = 1; ; seq++)
        {
            final UnsafeBuffer key = StoreTestSupport.bytes(keyOf(seq));
            if (isDelete(seq))
            {
                store.delete(key, 0, key.capacity(), seq);
            }
            else
            {
                final int length = valueLengthOf(seq);
                final UnsafeBuffer value = StoreTestSupport.pattern(length, (int)seq);
                largest.putBytes(0, value, 0, length);
                store.put(key, 0, key.capacity(), seq, largest, 0, length);
            }
            store.clients().record(1, seq, (byte)0, seq);
            store.lastAppliedSeq(seq);
            if (seq % REPORT_EVERY == 0)
            {
                out.print(WRITE_PREFIX);
                out.println(seq);
                out.flush();
            }
        }
    }

    private static void holdLockForever(final ChainStore store, final PrintStream out)
    {
        final UnsafeBuffer key = StoreTestSupport.bytes("locked");
        store.put(key, 0, key.capacity(), 1, key, 0, key.capacity());
        store.lastAppliedSeq(1);
        store.forEach((k, kl, version, tombstone, v, vl) ->
        {
            out.println(LOCK_HELD);
            out.flush();
            while (true)
            {
                try
                {
                    Thread.sleep(60_000);
                }
                catch (final InterruptedException ignore)
                {
                    // Only SIGKILL ends this.
                }
            }
        });
    }
}
