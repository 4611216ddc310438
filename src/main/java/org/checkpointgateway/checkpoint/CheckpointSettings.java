package org.checkpointgateway.checkpoint;

import java.time.Duration;

/** How checkpoints are watched and guarded; from the gateway's options. */
public record CheckpointSettings(Duration progressInterval, long diskReserveBytes) {
}
