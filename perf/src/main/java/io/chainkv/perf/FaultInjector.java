package io.chainkv.perf;

/**
 * Kills and restarts nodes of a cluster the runner (or its script) started, for the fault timeline.
 */
public interface FaultInjector
{
    /**
     * @param nodeId the node to kill with SIGKILL.
     * @return a short description of what happened.
     * @throws Exception if it could not be done.
     */
    String kill9(String nodeId) throws Exception;

    /**
     * @param nodeId the node to start again on its data.
     * @return a short description of what happened.
     * @throws Exception if it could not be done.
     */
    String restart(String nodeId) throws Exception;
}
