package org.checkpointgateway.checkpoint;

/**
 * One container, or a whole pod, named as the kubelet's routes name them. A whole pod is made by
 * {@link #wholePod} and told by {@link #isWholePod}; its {@code container} is empty (so the fleet's
 * wire carries it as {@code ""}).
 */
public record CheckpointTarget(String namespace, String pod, String container) {

  /** Every running container of {@code pod}, as {@code POST /checkpoint/<ns>/<pod>} asks. */
  public static CheckpointTarget wholePod(String namespace, String pod) {
    return new CheckpointTarget(namespace, pod, "");
  }

  public boolean isWholePod() {
    return container.isEmpty();
  }

  /** {@code <ns>/<pod>/<container>}, or {@code <ns>/<pod>} for a whole pod. */
  @Override
  public String toString() {
    return namespace + "/" + pod + (isWholePod() ? "" : "/" + container);
  }
}
