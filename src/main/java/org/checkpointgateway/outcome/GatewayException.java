package org.checkpointgateway.outcome;

/**
 * The runtime failures of checkpoint-gateway. Each subtype is one outcome a caller can tell
 * apart; the HTTP status for each is chosen in exactly one place, {@code api.ErrorMapper}.
 * Handlers and services fail their Futures with these and never set error statuses themselves.
 */
public abstract sealed class GatewayException extends RuntimeException
    permits NotFoundException, BadRequestException, UnauthenticatedException, ForbiddenException,
    RuntimeCallFailedException, CheckpointFailedException, PodCheckpointFailedException,
    OverloadedException, InsufficientStorageException, UnavailableException, ConflictException,
    RangeNotSatisfiableException,
    LimitExceededException, UnsupportedMediaTypeException, RequestTimeoutException,
    ForwardedException {

  protected GatewayException(String message) {
    this(message, null);
  }

  protected GatewayException(String message, Throwable cause) {
    // No stack trace: these are expected outcomes, not bugs, and thousands may fly per second.
    super(message, cause, false, false);
  }

  /** A stable, machine-readable reason, used in JSON error bodies and metrics. */
  public abstract String reason();
}
