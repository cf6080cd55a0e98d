package io.chainkv.faults.history;

/**
 * How an operation ended, as far as the client could tell.
 */
public enum Outcome
{
    /** The store answered; the answer (including a CAS mismatch or a delete of an absent key) is in the record. */
    OK,
    /** Certainly not applied: refused before it could take effect. Checkers ignore it. */
    FAILED,
    /** No definite answer (timed out, unavailable): a write may or may not have been applied, at any time. */
    UNKNOWN,
    /** Invoked and not completed yet (only while a run is in progress). */
    PENDING
}
