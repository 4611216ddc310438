package org.checkpointgateway.checkpoint;

/** One container, named as the kubelet's route names it. */
public record CheckpointTarget(String namespace, String pod, String container) {

  @Override
  public String toString() {
    return namespace + "/" + pod + "/" + container;
  }
}
