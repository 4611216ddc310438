package org.checkpointgateway.checkpoint;

import java.time.Duration;
import java.util.List;

/**
 * The archives a checkpoint produced (the kubelet's {@code {"items":[...]}}), their total size
 * (read when each was checked to be a regular file), and how long the runtime took.
 */
public record CheckpointResult(List<String> items, long archiveBytes, Duration duration) {
}
