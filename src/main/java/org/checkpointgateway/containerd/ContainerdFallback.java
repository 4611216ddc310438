package org.checkpointgateway.containerd;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.checkpointgateway.checkpoint.ContainerCheckpointer;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.cri.CriEndpoint;
import org.checkpointgateway.error.RuntimeCallFailedException;

/**
 * Checkpoints through the CRI, and where the runtime is containerd and answers
 * {@code CheckpointContainer} with {@code UNIMPLEMENTED} (containerd 1.6 and 1.7), through
 * containerd's task API on the same socket instead. The first such answer is remembered: later
 * checkpoints go straight to the task API.
 */
public final class ContainerdFallback implements ContainerCheckpointer {

  /** CRI {@code Version}'s runtime_name for containerd. */
  public static final String CONTAINERD = "containerd";

  private static final Logger LOG = Logger.getLogger(ContainerdFallback.class.getName());

  private enum Mechanism { CRI, TASK_API }

  private final Vertx vertx;
  private final CriClient cri;
  private final CriEndpoint endpoint;
  private final ContainerCheckpointer viaCri;
  private final AtomicReference<Mechanism> mechanism = new AtomicReference<>();
  // Made on the first fallback: runtimes that checkpoint through the CRI never need it.
  private ContainerdClient containerd;
  private ContainerCheckpointer viaTasks;

  private ContainerdFallback(Vertx vertx, CriClient cri, CriEndpoint endpoint) {
    this.vertx = vertx;
    this.cri = cri;
    this.endpoint = endpoint;
    this.viaCri = ContainerCheckpointer.cri(cri);
  }

  /** A checkpointer for the runtime behind {@code cri}, whose socket is {@code endpoint}. */
  public static ContainerdFallback create(Vertx vertx, CriClient cri, CriEndpoint endpoint) {
    return new ContainerdFallback(vertx, cri, endpoint);
  }

  @Override
  public Future<Void> checkpoint(String containerId, Path archive, Duration timeout,
      Future<Void> abandon) {
    if (mechanism.get() == Mechanism.TASK_API) {
      return viaTasks().checkpoint(containerId, archive, timeout, abandon);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    return viaCri.checkpoint(containerId, archive, timeout, abandon)
        .onSuccess(ignored -> decide(Mechanism.CRI, "the runtime's CRI CheckpointContainer"))
        .recover(failure -> {
          if (!(failure instanceof RuntimeCallFailedException runtime)
              || !runtime.code().equals("Unimplemented")) {
            return Future.failedFuture(failure);
          }
          Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
          return cri.version(left).transform(version -> {
            if (version.failed() || !version.result().getRuntimeName().equals(CONTAINERD)) {
              return Future.failedFuture(failure);
            }
            decide(Mechanism.TASK_API, "containerd's task API (containerd "
                + version.result().getRuntimeVersion() + " answers CRI CheckpointContainer with "
                + "UNIMPLEMENTED)");
            Duration remaining = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            return viaTasks().checkpoint(containerId, archive, remaining, abandon);
          });
        });
  }

  private void decide(Mechanism chosen, String how) {
    if (mechanism.compareAndSet(null, chosen)) {
      LOG.info(() -> "checkpoints go through " + how);
    }
  }

  private synchronized ContainerCheckpointer viaTasks() {
    if (viaTasks == null) {
      containerd = new ContainerdClient(vertx, endpoint);
      viaTasks = new TaskApiCheckpointer(vertx, containerd);
    }
    return viaTasks;
  }

  public synchronized Future<Void> close() {
    return containerd != null ? containerd.close() : Future.succeededFuture();
  }
}
