package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.error.NotFoundException;
import runtime.v1.Container;
import runtime.v1.PodSandbox;

/**
 * Finds a container the way the kubelet's runtime manager does: among READY sandboxes and
 * RUNNING containers, by the labels the kubelet puts on them.
 */
final class ContainerLookup {

  static final String POD_NAME_LABEL = "io.kubernetes.pod.name";
  static final String POD_NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
  static final String CONTAINER_NAME_LABEL = "io.kubernetes.container.name";

  private final CriClient cri;

  ContainerLookup(CriClient cri) {
    this.cri = cri;
  }

  /** The running container's CRI object, or a NotFoundException with the kubelet's text. */
  Future<Container> find(CheckpointTarget target) {
    return sandbox(target.namespace(), target.pod())
        .compose(sandbox -> cri.listRunningContainers(sandbox.getId(),
            Map.of(CONTAINER_NAME_LABEL, target.container())))
        .map(containers -> containers.stream()
            .max(Comparator.comparingLong(Container::getCreatedAt))
            .orElseThrow(() -> new NotFoundException(
                "container " + target.container() + " does not exist")));
  }

  /** Every running container of the pod, one per name (the newest where a restart left two). */
  Future<List<Container>> findAll(String namespace, String pod) {
    return sandbox(namespace, pod)
        .compose(sandbox -> cri.listRunningContainers(sandbox.getId(), Map.of()))
        .map(containers -> {
          List<Container> newest = List.copyOf(containers.stream().collect(Collectors.toMap(
              container -> container.getMetadata().getName(), container -> container,
              (a, b) -> a.getCreatedAt() >= b.getCreatedAt() ? a : b)).values());
          if (newest.isEmpty()) {
            throw new NotFoundException("pod " + pod + " has no running containers");
          }
          return newest;
        });
  }

  private Future<PodSandbox> sandbox(String namespace, String pod) {
    Map<String, String> podLabels = Map.of(POD_NAME_LABEL, pod, POD_NAMESPACE_LABEL, namespace);
    // A restarted pod can leave an older sandbox behind; the newest is the live one.
    return cri.listReadySandboxes(podLabels).map(sandboxes -> sandboxes.stream()
        .max(Comparator.comparingLong(PodSandbox::getCreatedAt))
        .orElseThrow(() -> new NotFoundException("pod does not exist")));
  }
}
