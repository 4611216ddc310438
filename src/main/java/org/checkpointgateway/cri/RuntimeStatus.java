package org.checkpointgateway.cri;

/**
 * The runtime as its last readiness probe found it: ready, with what it said it is, or not
 * ready, and why. Plain values: nobody outside {@code cri} needs the CRI's generated messages.
 */
public sealed interface RuntimeStatus {

  /** The runtime answered {@code Version}: its name, its version and its CRI API version. */
  record Ready(String name, String version, String apiVersion) implements RuntimeStatus {
  }

  /** The runtime did not answer, or the gateway takes no new work: why, in words. */
  record NotReady(String reason) implements RuntimeStatus {
  }
}
