package org.checkpointgateway.checkpoint;

/** One container (or, with an empty container name, a whole pod), named as the kubelet's route names it. */
public record CheckpointTarget(String namespace, String pod, String container) {

  /** {@code <ns>/<pod>/<container>}, or {@code <ns>/<pod>} for a whole pod. */
  @Override
  public String toString() {
    return namespace + "/" + pod + (container.isEmpty() ? "" : "/" + container);
  }
}
