package org.checkpointgateway.checkpoint;

import java.time.Duration;
import java.util.List;

/**
 * The archives a checkpoint produced (the kubelet's {@code {"items":[...]}}), their total size
 * ({@link #UNMEASURED} for callers that take no events), and how long the runtime took.
 */
public record CheckpointResult(List<String> items, long archiveBytes, Duration duration) {

  /** The size of archives nobody listening for events asked about. */
  public static final long UNMEASURED = -1;
}
