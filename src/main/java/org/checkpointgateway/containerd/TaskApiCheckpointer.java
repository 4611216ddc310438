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
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
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
   * A stopped checkpoint's work directory is swept again and again for up to this long. The
   * reset stream cancels containerd's context, but containerd cannot cancel the shim (ttrpc has
   * no cancellation): CRIU may go on writing images until it finds its directory gone, and a
   * runc that the shim starts late would create the directory again.
   */
  static final Duration SWEEP_FOR = Duration.ofSeconds(30);
  static final Duration SWEEP_EVERY = Duration.ofMillis(250);
  /** Sweeping ends early once the directory has been absent this many sweeps in a row. */
  static final int QUIET_SWEEPS = 8;

  private static final Logger LOG = Logger.getLogger(TaskApiCheckpointer.class.getName());

  private final Vertx vertx;
  private final ContainerdClient containerd;

  TaskApiCheckpointer(Vertx vertx, ContainerdClient containerd) {
    this.vertx = vertx;
    this.containerd = containerd;
  }

  @Override
  public Future<Void> checkpoint(String id, Path archive, RequestContext context) {
    long started = System.nanoTime();
    // The one signal that stops every step: the request's end (deadline or cancel), or ours.
    Promise<Void> stop = Promise.promise();
    context.failWhenDone(vertx, stop, () -> "");
    AtomicBoolean stopped = new AtomicBoolean();
    RequestContext untilStopped = context.withCancel(stop.future().transform(ignored -> {
      stopped.set(true);
      return Future.succeededFuture();
    }));

    Path work = archive.resolveSibling("." + archive.getFileName() + ".work");
    Path images = work.resolve("checkpoint");
    Path criuWork = work.resolve("criu");
    Path partial = archive.resolveSibling("." + archive.getFileName() + ".partial");
    Instant checkpointedAt = Instant.now();
    long[] dumped = new long[1];

    Future<Void> steps = vertx.fileSystem().mkdirs(work.toString(), "rwx------")
        .compose(ignored -> Future.all(containerd.container(id, untilStopped),
            containerd.containerStatus(id, untilStopped)))
        .compose(metadata -> {
          Container spec = metadata.resultAt(0);
          ContainerStatus status = metadata.resultAt(1);
          return containerd.checkpointTask(id, images, criuWork, untilStopped)
              .compose(ignored -> {
                dumped[0] = System.nanoTime();
                ArchiveAssembler.Members members = new ArchiveAssembler.Members(
                    CheckpointMetadata.configDump(status, spec, checkpointedAt),
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
      stop.tryComplete(); // nothing to stop any more: ends untilStopped and the timer
      if (result.succeeded()) {
        long now = System.nanoTime();
        LOG.fine(() -> String.format("checkpointed %s through containerd's task API in %.3f s"
            + " (CRIU %.3f s, archive %.3f s)", id, (now - started) / 1e9,
            (dumped[0] - started) / 1e9, (now - dumped[0]) / 1e9));
        return removeWork(work).map(ignored -> (Void) null);
      }
      boolean wasStopped = stopped.get();
      // A stop fails the steps too (a reset call reads as Canceled): report why it stopped.
      Throwable cause = stop.future().failed() ? stop.future().cause() : result.cause();
      // Wait for the steps to notice the stop (a reset stream fails at once, the assembler
      // within one buffer) so that nothing is written after the clean-up.
      return steps.transform(ignored -> removeWork(work))
          .compose(ignored -> vertx.fileSystem().delete(partial.toString())
              .recover(missing -> Future.succeededFuture()))
          .transform(ignored -> {
            if (wasStopped) {
              sweep(work, System.nanoTime() + SWEEP_FOR.toNanos(), 0);
            }
            return Future.<Void>failedFuture(cause);
          });
    });
  }

  private void sweep(Path work, long until, int absentSweeps) {
    vertx.setTimer(SWEEP_EVERY.toMillis(), id -> vertx.fileSystem().exists(work.toString())
        .recover(unknown -> Future.succeededFuture(true))
        .compose(present -> present ? removeWork(work).map(0) : Future.succeededFuture(absentSweeps + 1))
        .onSuccess(absent -> {
          if (absent < QUIET_SWEEPS && System.nanoTime() < until) {
            sweep(work, until, absent);
          }
        }));
  }

  private Future<Void> removeWork(Path work) {
    return vertx.fileSystem().deleteRecursive(work.toString())
        .recover(missing -> Future.succeededFuture());
  }
}
