package org.checkpointgateway.containerd;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.checkpointgateway.checkpoint.ContainerCheckpointer;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.cri.CriEndpoint;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import runtime.v1.VersionResponse;

/**
 * Checkpoints through the CRI, and where the runtime is containerd and answers
 * {@code CheckpointContainer} with {@code UNIMPLEMENTED} (containerd 1.6 and 1.7), through
 * containerd's task API on the same socket instead (unless {@code --containerd-task-checkpoint
 * false}). The first such answer is remembered: later checkpoints go straight to the task API.
 *
 * <p>On containerd a CRI checkpoint is never cut short at the runtime. containerd 2.x pauses the
 * container before CRIU and resumes it in a call deferred on the request's context: a call that
 * expires or is cancelled leaves the container paused for good (seen here with 2.1.9 and runc
 * 1.1.5). So the caller gets its answer at its deadline or when it goes away, while containerd's
 * call runs on (for at most {@link #RUNTIME_GRACE} longer) and writes to a hidden
 * {@code .<archive>.partial}, which is renamed into place on success and removed when the call
 * ends otherwise.
 */
public final class ContainerdAwareCheckpointer implements ContainerCheckpointer {

  /** CRI {@code Version}'s runtime_name for containerd. */
  public static final String CONTAINERD = "containerd";

  /** How much longer than the caller's deadline containerd's own call may run on. */
  public static final Duration RUNTIME_GRACE = Duration.ofMinutes(10);

  private static final Logger LOG = Logger.getLogger(ContainerdAwareCheckpointer.class.getName());

  private enum Mechanism { CRI, TASK_API }

  private final Vertx vertx;
  private final CriClient cri;
  private final CriEndpoint endpoint;
  private final boolean taskCheckpoint;
  private final ContainerCheckpointer viaCri;
  private final AtomicReference<Mechanism> mechanism = new AtomicReference<>();
  // The runtime's CRI Version, once it answered: which runtime this is does not change.
  private volatile VersionResponse runtime;
  // Made on the first fallback: runtimes that checkpoint through the CRI never need it.
  private ContainerdClient containerd;
  private ContainerCheckpointer viaTasks;

  private ContainerdAwareCheckpointer(Vertx vertx, CriClient cri, CriEndpoint endpoint,
      boolean taskCheckpoint) {
    this.vertx = vertx;
    this.cri = cri;
    this.endpoint = endpoint;
    this.taskCheckpoint = taskCheckpoint;
    this.viaCri = ContainerCheckpointer.cri(cri);
  }

  /**
   * A checkpointer for the runtime behind {@code cri}, whose socket is {@code endpoint};
   * {@code taskCheckpoint}: whether containerd 1.6/1.7 fall back to the task API.
   */
  public static ContainerdAwareCheckpointer create(Vertx vertx, CriClient cri, CriEndpoint endpoint,
      boolean taskCheckpoint) {
    return new ContainerdAwareCheckpointer(vertx, cri, endpoint, taskCheckpoint);
  }

  @Override
  public Future<Void> checkpoint(String containerId, Path archive, RequestContext context) {
    if (mechanism.get() == Mechanism.TASK_API) {
      return viaTasks().checkpoint(containerId, archive, context);
    }
    VersionResponse known = runtime;
    if (mechanism.get() == Mechanism.CRI && known != null
        && !known.getRuntimeName().equals(CONTAINERD)) {
      return viaCri.checkpoint(containerId, archive, context); // decided: nothing to add per call
    }
    return runtime(context).compose(version -> {
      boolean isContainerd = version != null && version.getRuntimeName().equals(CONTAINERD);
      return (isContainerd ? uncut(containerId, archive, context)
          : viaCri.checkpoint(containerId, archive, context))
          .onSuccess(ignored -> decide(Mechanism.CRI, "the runtime's CRI CheckpointContainer"))
          .recover(failure -> {
            if (!isContainerd || !taskCheckpoint || !(failure instanceof RuntimeCallFailedException call)
                || !call.code().equals("Unimplemented")) {
              return Future.failedFuture(failure);
            }
            decide(Mechanism.TASK_API, "containerd's task API (containerd "
                + version.getRuntimeVersion() + " answers CRI CheckpointContainer with "
                + "UNIMPLEMENTED)");
            return viaTasks().checkpoint(containerId, archive, context);
          });
    });
  }

  /** CRI Version, asked until it has answered once; null while the runtime does not answer. */
  private Future<VersionResponse> runtime(RequestContext context) {
    VersionResponse known = runtime;
    return known != null ? Future.succeededFuture(known)
        : cri.version(context).map(answer -> runtime = answer).otherwise((VersionResponse) null);
  }

  /**
   * CRI {@code CheckpointContainer} into {@code .<archive>.partial}, answered at the caller's
   * deadline or abandonment while the runtime's call goes on uncut; see the class comment.
   */
  private Future<Void> uncut(String containerId, Path archive, RequestContext context) {
    Path partial = archive.resolveSibling("." + archive.getFileName() + ".partial");
    Promise<Void> outcome = Promise.promise();
    context.failWhenDone(vertx, outcome, () -> "");
    FileSystem files = vertx.fileSystem();
    // containerd's own call: the caller's deadline plus the grace, and nobody cancels it.
    viaCri.checkpoint(containerId, partial,
            RequestContext.withTimeout(context.remaining().plus(RUNTIME_GRACE)))
        .compose(ignored -> outcome.future().isComplete()
            ? Future.failedFuture("the caller had its answer")
            // containerd creates the file with its umask; archives hold process memory.
            : files.chmod(partial.toString(), "rw-------")
                .compose(chmodded -> files.move(partial.toString(), archive.toString())))
        .onComplete(done -> {
          if (done.failed()) {
            outcome.tryFail(done.cause());
            files.delete(partial.toString()).otherwiseEmpty(); // containerd may have written none
          } else if (!outcome.tryComplete()) {
            files.delete(archive.toString()).otherwiseEmpty(); // cut while it was being renamed
          }
        });
    return outcome.future();
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
