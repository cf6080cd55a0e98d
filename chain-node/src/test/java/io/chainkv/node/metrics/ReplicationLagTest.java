package io.chainkv.node.metrics;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplicationLagTest
{
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private final ReplicationLag lag = new ReplicationLag(applied::get, committed::get);

    @Test
    void lagIsHowLongTheOldestUncommittedUpdateHasWaited()
    {
        applied.set(5);
        lag.sample(100);
        applied.set(9);
        lag.sample(200);

        lag.sample(1_000);
        assertEquals(900, lag.lagNs());

        committed.set(5);
        lag.sample(1_100);
        assertEquals(900, lag.lagNs()); // update 9 was applied at 200

        committed.set(9);
        lag.sample(1_200);
        assertEquals(0, lag.lagNs());
    }

    @Test
    void aNodeWhoseUpdatesAreCommittedAtOnceHasNoLag()
    {
        applied.set(7);
        committed.set(7);

        lag.sample(50);

        assertEquals(0, lag.lagNs());
    }
}
