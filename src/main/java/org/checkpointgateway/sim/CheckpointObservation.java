package org.checkpointgateway.sim;

import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;

/**
 * What the simulated runtime saw of one CheckpointContainer call, recorded when the call ended
 * (for a cancelled or failed checkpoint: after the partial archive was deleted).
 *
 * @param containerId the {@code container_id} requested
 * @param location the {@code location} requested
 * @param requestTimeoutSeconds the request's {@code timeout} field (0 when unset)
 * @param grpcTimeoutMillis the {@code grpc-timeout} header in milliseconds, -1 when absent
 * @param authority the {@code :authority} the request carried, or null
 * @param outcome how the call ended
 * @param status the status answered, or {@link GrpcStatus#CANCELLED} when the client went away
 * @param message the status message answered (empty for OK)
 * @param bytesWritten the archive size reached (for a cancelled or failed call: before deletion)
 * @param simulatedDuration how long the simulated checkpoint ran
 */
public record CheckpointObservation(String containerId, String location, long requestTimeoutSeconds,
                                    long grpcTimeoutMillis, String authority, Outcome outcome,
                                    GrpcStatus status, String message, long bytesWritten,
                                    Duration simulatedDuration) {

  /** How a CheckpointContainer call ended. */
  public enum Outcome {
    /** The archive was written and OK answered. */
    COMPLETED,
    /** The client cancelled, a deadline passed or the runtime closed: the archive was deleted. */
    CANCELLED,
    /** An error status was answered; no archive is left. */
    FAILED
  }
}
