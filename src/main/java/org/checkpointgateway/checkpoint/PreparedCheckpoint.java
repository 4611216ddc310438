package org.checkpointgateway.checkpoint;

import runtime.v1.Container;

/**
 * A container found running, with its weight: the memory working set the runtime is about to
 * write, which admission control counts against the byte budget.
 */
public record PreparedCheckpoint(CheckpointTarget target, Container container, long weightBytes) {
}
