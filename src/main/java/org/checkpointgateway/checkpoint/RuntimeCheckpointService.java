package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.error.CheckpointFailedException;
import org.checkpointgateway.error.RuntimeCallFailedException;

/** Checkpoints a container found through the CRI, within the caller's deadline. */
final class RuntimeCheckpointService implements CheckpointService {

  private final ContainerCheckpointer checkpointer;
  private final ContainerLookup lookup;
  private final ArchiveDirectory archives;

  RuntimeCheckpointService(CriClient cri, ContainerCheckpointer checkpointer,
      ArchiveDirectory archives) {
    this.checkpointer = checkpointer;
    this.lookup = new ContainerLookup(cri);
    this.archives = archives;
  }

  @Override
  public Future<CheckpointResult> checkpoint(CheckpointTarget target, Duration timeout,
      Future<Void> callerGone) {
    long deadline = System.nanoTime() + timeout.toNanos();
    return lookup.find(target)
        .compose(container -> archives.ensureExists().map(ignored -> container))
        .compose(container -> {
          Path archive = archives.newArchivePath(target.namespace(), target.pod(), target.container());
          // The lookup used part of the caller's time; the runtime gets what is left.
          Duration remaining = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
          archives.writing(archive);
          return checkpointer.checkpoint(container, archive, remaining, callerGone)
              .map(ignored -> new CheckpointResult(List.of(archive.toString())))
              .recover(failure -> archives.discard(archive)
                  .compose(ignored -> Future.failedFuture(failure)))
              .onComplete(outcome -> {
                archives.written(archive);
                if (outcome.succeeded()) {
                  archives.completed(archive);
                }
              });
        })
        // The kubelet reports any runtime failure, lookup included, as a failed checkpoint.
        .recover(failure -> Future.failedFuture(asCheckpointFailure(target, failure)));
  }

  @Override
  public Future<Void> lookup(CheckpointTarget target) {
    return lookup.find(target)
        .recover(failure -> Future.failedFuture(asCheckpointFailure(target, failure)))
        .mapEmpty();
  }

  private static Throwable asCheckpointFailure(CheckpointTarget target, Throwable failure) {
    return failure instanceof RuntimeCallFailedException runtime
        ? new CheckpointFailedException(target.namespace(), target.pod(), target.container(), runtime)
        : failure;
  }
}
