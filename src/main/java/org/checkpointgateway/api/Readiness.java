package org.checkpointgateway.api;

import org.checkpointgateway.cri.RuntimeStatus;

/**
 * What {@code /readyz} reports: ready with the runtime that answered, or not ready and why (the
 * runtime does not answer, or the gateway is stopping and takes no new work).
 */
@FunctionalInterface
public interface Readiness {

  /** The reason given while the gateway stops, whatever the runtime says. */
  String STOPPING = "the gateway is stopping";

  RuntimeStatus now();
}
