package io.chainkv.node.membership;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaseRenewalTest
{
    private static final long MS = 1_000_000L;
    private static final long LEASE_NS = 300 * MS;
    private static final long SESSION_A = 0x1111L;
    private static final long SESSION_B = 0x2222L;

    private final long base = System.nanoTime() + 1_000_000 * MS;
    private final SessionLease lease = SessionLease.of(LEASE_NS);
    private final LeaseRenewal renewal = new LeaseRenewal(lease);

    @Test
    void firstContactOnASessionOnlyStartsTheChain()
    {
        renewal.bind(SESSION_A);

        assertFalse(renewal.confirmed(SESSION_A, base));
        assertFalse(lease.isValid(base));
    }

    @Test
    void chainedContactRenewsFromItsStart()
    {
        renewal.bind(SESSION_A);
        renewal.confirmed(SESSION_A, base);

        assertTrue(renewal.confirmed(SESSION_A, base + 100 * MS));
        assertTrue(lease.isValid(base + 100 * MS + LEASE_NS - 1));
        assertFalse(lease.isValid(base + 100 * MS + LEASE_NS));
    }

    @Test
    void contactOfAnotherSessionNeverRenews()
    {
        renewal.bind(SESSION_A);
        renewal.confirmed(SESSION_A, base);

        assertFalse(renewal.confirmed(SESSION_B, base + 100 * MS));
        assertFalse(renewal.confirmed(SESSION_B, base + 200 * MS));
        assertFalse(lease.isValid(base + 200 * MS));
    }

    @Test
    void leaseDoesNotSurviveIntoANewSession()
    {
        renewal.bind(SESSION_A);
        renewal.confirmed(SESSION_A, base);
        renewal.confirmed(SESSION_A, base + 100 * MS);
        assertTrue(lease.isValid(base + 150 * MS));

        renewal.bind(SESSION_B);

        assertFalse(lease.isValid(System.nanoTime()));
        assertFalse(renewal.confirmed(SESSION_A, base + 200 * MS), "the old session's contacts count no more");
        assertFalse(renewal.confirmed(SESSION_B, base + 300 * MS), "the new session starts a new chain");
        assertTrue(renewal.confirmed(SESSION_B, base + 400 * MS));
    }

    @Test
    void lateContactRenewsOnlyToFiveSixthsOfASessionAfterThePreviousOne()
    {
        renewal.bind(SESSION_A);
        renewal.confirmed(SESSION_A, base);

        final long late = base + renewal.maxGapNs() + 50 * MS;
        assertFalse(renewal.confirmed(SESSION_A, late), "not a full lease");
        final long cap = base + 5 * LEASE_NS / 3;
        assertTrue(lease.isValid(cap - 1));
        assertFalse(lease.isValid(cap));
    }

    @Test
    void contactMoreThanFiveSixthsOfASessionAfterThePreviousOneRenewsNothing()
    {
        renewal.bind(SESSION_A);
        renewal.confirmed(SESSION_A, base);

        final long late = base + 5 * LEASE_NS / 3 + MS;
        renewal.confirmed(SESSION_A, late);

        assertFalse(lease.isValid(late));
        assertTrue(renewal.confirmed(SESSION_A, late + 100 * MS), "but it chains the next one");
    }

    @Test
    void brokenChainNeedsTwoContactsAgain()
    {
        renewal.bind(SESSION_A);
        renewal.confirmed(SESSION_A, base);
        renewal.broken();

        assertFalse(renewal.confirmed(SESSION_A, base + 100 * MS));
        assertTrue(renewal.confirmed(SESSION_A, base + 200 * MS));
    }

    @Test
    void revokeEndsTheLeaseAtOnce()
    {
        renewal.bind(SESSION_A);
        renewal.confirmed(SESSION_A, System.nanoTime());
        renewal.confirmed(SESSION_A, System.nanoTime() + MS);

        renewal.revoke();

        assertFalse(lease.isValid(System.nanoTime()));
    }
}
