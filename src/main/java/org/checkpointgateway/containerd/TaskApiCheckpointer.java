package org.checkpointgateway.containerd;

import containerd.services.containers.v1.Container;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.checkpointgateway.checkpoint.ContainerCheckpointer;
import org.checkpointgateway.error.RuntimeCallFailedException;
import runtime.v1.ContainerStatus;

/**
 * Checkpoints through containerd's task API, as containerd 2.x's CRI plugin does internally:
 * {@code Tasks.Checkpoint} with runc's options (leave running, CRIU images into a private work
 * directory), then the archive is assembled in containerd 2.x's layout on a worker thread.
 *
 * <p>The work directory ({@code .<archive>.work}) and the temporary archive
 * ({@code .<archive>.partial}) sit beside the archive, so the final rename stays on one file
 * system; both are removed whatever the outcome.
 */
final class TaskApiCheckpointer implements ContainerCheckpointer {

  /**
   * After a stopped checkpoint the work directory is removed once more this much later: the
   * shim cannot be cancelled (ttrpc has no cancellation), and a runc that it started just after
   * the first removal would create the image directory again.
   */
  static final Duration LATE_SWEEP = Duration.ofSeconds(30);

  private static final Logger LOG = Logger.getLogger(TaskApiCheckpointer.class.getName());

  private final Vertx vertx;
  private final ContainerdClient containerd;

  TaskApiCheckpointer(Vertx vertx, ContainerdClient containerd) {
    this.vertx = vertx;
    this.containerd = containerd;
  }

  @Override
  public Future<Void> checkpoint(runtime.v1.Container container, Path archive, Duration timeout,
      Future<Void> abandon) {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    // The one signal that stops every step: the deadline or the caller going away.
    Promise<Void> stop = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> stop.tryFail(
        new RuntimeCallFailedException("DeadlineExceeded", "context deadline exceeded")));
    abandon.onComplete(ignored -> stop.tryFail(
        new RuntimeCallFailedException("Canceled", "context canceled")));
    AtomicBoolean stopped = new AtomicBoolean();
    Future<Void> stopSignal = stop.future().transform(ignored -> {
      stopped.set(true);
      return Future.succeededFuture();
    });

    String id = container.getId();
    Path work = archive.resolveSibling("." + archive.getFileName() + ".work");
    Path images = work.resolve("checkpoint");
    Path criuWork = work.resolve("criu");
    Path partial = archive.resolveSibling("." + archive.getFileName() + ".partial");
    Instant checkpointedAt = Instant.now();
    long[] dumped = new long[1];

    Future<Void> steps = vertx.fileSystem().mkdirs(work.toString(), "rwx------")
        .compose(ignored -> Future.all(containerd.container(id, stopSignal),
            containerd.containerStatus(id, stopSignal)))
        .compose(metadata -> {
          Container spec = metadata.resultAt(0);
          ContainerStatus status = metadata.resultAt(1);
          Duration remaining = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
          return containerd.checkpointTask(id, images, criuWork, remaining, stopSignal)
              .compose(ignored -> {
                dumped[0] = System.nanoTime();
                ArchiveAssembler.Members members = new ArchiveAssembler.Members(
                    CheckpointMetadata.configDump(container, spec, status, checkpointedAt),
                    CheckpointMetadata.specDump(spec),
                    CheckpointMetadata.statusDump(status),
                    status.getLogPath().isEmpty() ? null : Path.of(status.getLogPath()));
                ArchiveAssembler assembler = new ArchiveAssembler(stopped::get);
                return vertx.executeBlocking(() -> {
                  assembler.assemble(members, images, criuWork, partial, archive);
                  return null;
                }, false);
              });
        })
        .<Void>mapEmpty()
        .recover(failure -> Future.failedFuture(failure instanceof RuntimeCallFailedException
            ? failure
            : new RuntimeCallFailedException("Unknown",
                "writing the checkpoint archive of " + id + " failed: " + failure.getMessage())));

    Promise<Void> outcome = Promise.promise();
    steps.onComplete(outcome);
    stop.future().onFailure(outcome::tryFail);
    return outcome.future().transform(result -> {
      vertx.cancelTimer(timer);
      stop.tryComplete(); // nothing to stop any more; releases the metadata calls' abandon
      if (result.succeeded()) {
        long now = System.nanoTime();
        LOG.fine(() -> String.format("checkpointed %s through containerd's task API in %.3f s"
            + " (CRIU %.3f s, archive %.3f s)", id, (now - started) / 1e9,
            (dumped[0] - started) / 1e9, (now - dumped[0]) / 1e9));
        return removeWork(work).map(ignored -> (Void) null);
      }
      boolean wasStopped = stopped.get();
      // Wait for the steps to notice the stop (a reset stream fails at once, the assembler
      // within one buffer) so that nothing is written after the clean-up.
      return steps.transform(ignored -> removeWork(work))
          .compose(ignored -> vertx.fileSystem().delete(partial.toString())
              .recover(missing -> Future.succeededFuture()))
          .transform(ignored -> {
            if (wasStopped) {
              vertx.setTimer(LATE_SWEEP.toMillis(), later -> removeWork(work));
            }
            return Future.<Void>failedFuture(result.cause());
          });
    });
  }

  private Future<Void> removeWork(Path work) {
    return vertx.fileSystem().deleteRecursive(work.toString())
        .recover(missing -> Future.succeededFuture());
  }
}
