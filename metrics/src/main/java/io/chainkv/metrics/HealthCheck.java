package io.chainkv.metrics;

/**
 * One question a health endpoint asks a process: is it alive, or is it ready to serve? Asked on the HTTP
 * server's thread at request time, so an answer reads state other threads publish (volatile fields, counters).
 */
@FunctionalInterface
public interface HealthCheck
{
    /** A check that always passes. */
    HealthCheck ALWAYS = () -> null;

    /**
     * @return null if the process passes, otherwise one sentence saying why not, for the operator reading it.
     */
    String problem();
}
