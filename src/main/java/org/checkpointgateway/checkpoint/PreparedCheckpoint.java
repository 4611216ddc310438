package org.checkpointgateway.checkpoint;

/**
 * A container found running, with its weight: the memory working set the runtime is about to
 * write, which admission control counts against the byte budget. Only the runtime's id of the
 * container is kept: ten thousand waiting checkpoints need not hold ten thousand CRI messages.
 */
public record PreparedCheckpoint(CheckpointTarget target, String containerId, long weightBytes) {
}
