package io.chainkv.node.membership;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionLeaseTest
{
    private static final long SECOND = 1_000_000_000L;

    @Test
    void newLeaseIsNotValidUntilRenewed()
    {
        final SessionLease lease = SessionLease.of(SECOND);
        assertFalse(lease.isValid(System.nanoTime()));
    }

    @Test
    void renewedLeaseRunsFromTheStartOfTheContact()
    {
        final SessionLease lease = SessionLease.of(SECOND);
        final long contact = System.nanoTime() + 1_000 * SECOND;
        lease.renew(contact);
        assertTrue(lease.isValid(contact + SECOND - 1));
        assertFalse(lease.isValid(contact + SECOND));
    }

    @Test
    void olderContactNeverShortensTheLease()
    {
        final SessionLease lease = SessionLease.of(SECOND);
        final long base = System.nanoTime() + 1_000 * SECOND;
        lease.renew(base + 5 * SECOND);
        lease.renew(base + 2 * SECOND);
        assertTrue(lease.isValid(base + 5 * SECOND + SECOND / 2));
    }

    @Test
    void revokedLeaseIsInvalidAtOnce()
    {
        final SessionLease lease = SessionLease.of(10 * SECOND);
        lease.renew(System.nanoTime());
        lease.revoke();
        assertFalse(lease.isValid(System.nanoTime()));
    }

    @Test
    void pausedProcessFindsItsLeaseExpiredOnResume()
    {
        final SessionLease lease = SessionLease.of(SECOND);
        final long contact = System.nanoTime();
        lease.renew(contact);
        final long resumedAt = contact + 30 * SECOND;
        assertFalse(lease.isValid(resumedAt));
    }

    @Test
    void unboundedLeaseIsAlwaysValid()
    {
        final SessionLease lease = SessionLease.unbounded();
        lease.revoke();
        assertTrue(lease.isValid(Long.MAX_VALUE - 1));
        assertTrue(lease.isValid(Long.MIN_VALUE));
    }
}
