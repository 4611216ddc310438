package org.checkpointgateway.checkpoint;

import java.time.Duration;

/**
 * How checkpoints are watched and guarded; from the gateway's options.
 *
 * @param lookupMaxAge how long the runtime's answers to lookups (pods, containers, memory) are
 *     shared by later requests; zero asks the runtime for every request
 */
public record CheckpointSettings(Duration progressInterval, long diskReserveBytes,
    Duration lookupMaxAge) {
}
