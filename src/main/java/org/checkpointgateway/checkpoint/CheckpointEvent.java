package org.checkpointgateway.checkpoint;

import java.time.Duration;
import java.util.List;

/**
 * What happens to one container's checkpoint, in order: {@link Queued} (zero or more times),
 * {@link Started}, {@link Progress} (zero or more times), then exactly one of {@link Completed}
 * or {@link Failed}. Every event names its container, so that a pod's events can share a stream.
 */
public sealed interface CheckpointEvent {

  String container();

  /** Waiting for admission; {@code position} 1 runs next. */
  record Queued(String container, int position, long bytesAhead) implements CheckpointEvent {
  }

  /** Admitted: the runtime is working. {@code estimated} comes from this node's past throughput. */
  record Started(String container, String containerId, long weightBytes, Duration estimated)
      implements CheckpointEvent {
  }

  /** Still working: time so far, the estimated fraction done, and the archive's size so far. */
  record Progress(String container, Duration elapsed, double estimatedFraction, long archiveBytes)
      implements CheckpointEvent {
  }

  /** The archive is complete. */
  record Completed(String container, List<String> items, long archiveBytes, Duration duration)
      implements CheckpointEvent {
  }

  /** The checkpoint failed; {@code failure} is what the plain route would have answered. */
  record Failed(String container, Throwable failure) implements CheckpointEvent {
  }

  /** True for the last event of a container: {@link Completed} or {@link Failed}. */
  default boolean terminal() {
    return this instanceof Completed || this instanceof Failed;
  }
}
