package org.checkpointgateway.checkpoint;

import java.util.List;

/** The archives a checkpoint produced: the kubelet's {@code {"items":[...]}}. */
public record CheckpointResult(List<String> items) {
}
