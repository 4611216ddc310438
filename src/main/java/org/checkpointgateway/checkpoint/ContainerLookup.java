package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.checkpointgateway.context.Futures;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.outcome.CheckpointFailedException;
import org.checkpointgateway.outcome.NotFoundException;
import runtime.v1.Container;
import runtime.v1.PodSandbox;

/**
 * Finds a container the way the kubelet's runtime manager does: among READY sandboxes and
 * RUNNING containers, by the labels the kubelet puts on them.
 *
 * <p>Lookups read a picture of the whole node (every READY sandbox and RUNNING container: the
 * two lists the kubelet's own pod lifecycle loop asks for every second) that concurrent requests
 * share and that serves for {@code maxAge}. A container is found in any picture that young; but a
 * request is told that something does not exist only by a picture taken after it arrived, so a
 * container started a moment ago is never answered 404.
 */
final class ContainerLookup {

  static final String POD_NAME_LABEL = "io.kubernetes.pod.name";
  static final String POD_NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
  static final String CONTAINER_NAME_LABEL = "io.kubernetes.container.name";

  private static final BinaryOperator<PodSandbox> NEWER_SANDBOX =
      (a, b) -> a.getCreatedAt() >= b.getCreatedAt() ? a : b;

  /**
   * What a lookup keeps of a running container: a busy node's picture and ten thousand waiting
   * checkpoints need not hold whole CRI messages (labels, image, metadata).
   */
  record Running(String id, String name, long createdAt) {
    static Running of(Container container) {
      return new Running(container.getId(), nameOf(container), container.getCreatedAt());
    }
  }

  private final CriClient cri;
  private final SingleFlight<NodePicture> pictures;

  ContainerLookup(Vertx vertx, CriClient cri, Duration maxAge) {
    this.cri = cri;
    // A picture serves requests with different deadlines: each waits within its own, and the
    // calls are reset once nobody waits for them.
    this.pictures = new SingleFlight<>(vertx, maxAge, unwanted -> {
      long taken = System.nanoTime();
      return Future.all(cri.listReadySandboxes(unwanted), cri.listRunningContainers(unwanted))
          .map(lists -> NodePicture.of(taken, lists.resultAt(0), lists.resultAt(1)));
    });
  }

  /**
   * The running container, or a NotFoundException with the kubelet's text; a
   * {@code DeadlineExceeded} runtime failure when the runtime does not answer by the context's
   * deadline, a {@code Canceled} one when the context is cancelled first.
   * A container that the runtime knows in that pod but that does not run gets the kubelet's 500
   * (its lookup sees only running containers, after its pod's spec named the container).
   */
  Future<Running> find(CheckpointTarget target, RequestContext context) {
    return Futures.then(look(picture -> picture.sandbox(target.namespace(), target.pod())
        .map(sandbox -> new Slot(sandbox, picture.newestByName(sandbox).get(target.container()))),
        slot -> slot.running() != null, context),
        slot -> slot.running() != null ? Future.succeededFuture(slot.running())
            : notRunning(target, slot.sandboxId(), context));
  }

  /** A sandbox found, and the running container of that name in it (null when none runs). */
  private record Slot(String sandboxId, Running running) { }

  /** Asked only on a miss: the containers of a pod in every state are one small list. */
  private Future<Running> notRunning(CheckpointTarget target, String sandboxId,
      RequestContext context) {
    return cri.listContainers(sandboxId, context)
        .compose(all -> Future.failedFuture(all.stream()
            .anyMatch(container -> nameOf(container).equals(target.container()))
            ? new CheckpointFailedException(target.toString(),
                "container " + target.container() + " not found", CheckpointService.CONTAINER_NOT_RUNNING)
            : new NotFoundException("container " + target.container() + " does not exist")));
  }

  /** Every running container of the pod, one per name (the newest where a restart left two). */
  Future<List<Running>> findAll(String namespace, String pod, RequestContext context) {
    return look(picture -> picture.sandbox(namespace, pod)
        .map(sandbox -> List.copyOf(picture.newestByName(sandbox).values())),
        containers -> !containers.isEmpty(), context)
        .map(containers -> {
          if (containers.isEmpty()) {
            throw new NotFoundException("pod " + pod + " has no running containers");
          }
          return containers;
        });
  }

  /** The container's name as the kubelet gave it: its label, else its CRI metadata. */
  private static String nameOf(Container container) {
    return container.getLabelsOrDefault(CONTAINER_NAME_LABEL, container.getMetadata().getName());
  }

  /**
   * What {@code question} finds in a recent picture; if it is not {@code found} there, what it
   * finds in one taken since this call. An unknown pod fails with the kubelet's
   * {@code pod does not exist}.
   */
  private <T> Future<T> look(Function<NodePicture, Optional<T>> question, Predicate<T> found,
      RequestContext context) {
    long asked = System.nanoTime();
    return Futures.then(pictures.recent(context), picture -> {
      Optional<T> answer = question.apply(picture);
      if (answer.filter(found).isPresent() || picture.takenNanos() - asked >= 0) {
        return podFound(answer);
      }
      return Futures.then(pictures.fetchedSince(asked, context),
          later -> podFound(question.apply(later)));
    });
  }

  private static <T> Future<T> podFound(Optional<T> answer) {
    return answer.isPresent() ? Future.succeededFuture(answer.get())
        : Future.failedFuture(new NotFoundException("pod does not exist"));
  }

  /**
   * The newest READY sandbox's id by namespace and pod, and by sandbox id its RUNNING containers
   * by name; {@code takenNanos} is when the lists were asked for, so everything created before
   * then is in them. Built once per picture, so that a lookup is two map reads.
   */
  private record NodePicture(long takenNanos, Map<String, String> sandboxes,
      Map<String, Map<String, Running>> containers) {

    static NodePicture of(long takenNanos, List<PodSandbox> sandboxes, List<Container> containers) {
      return new NodePicture(takenNanos,
          // A restarted pod can leave an older sandbox behind; the newest is the live one.
          sandboxes.stream().collect(Collectors.toMap(
              sandbox -> key(sandbox.getLabelsOrDefault(POD_NAMESPACE_LABEL, ""),
                  sandbox.getLabelsOrDefault(POD_NAME_LABEL, "")),
              sandbox -> sandbox, NEWER_SANDBOX))
              .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                  entry -> entry.getValue().getId())),
          // One container per name: a restart can leave an older one running for a moment.
          containers.stream().map(container -> Map.entry(container.getPodSandboxId(),
                  Running.of(container)))
              .collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.toMap(
                  entry -> entry.getValue().name(), Map.Entry::getValue,
                  (a, b) -> a.createdAt() >= b.createdAt() ? a : b))));
    }

    Optional<String> sandbox(String namespace, String pod) {
      return Optional.ofNullable(sandboxes.get(key(namespace, pod)));
    }

    Map<String, Running> newestByName(String sandboxId) {
      return containers.getOrDefault(sandboxId, Map.of());
    }

    private static String key(String namespace, String pod) {
      return namespace + "/" + pod; // neither may hold a slash
    }
  }
}
