package org.checkpointgateway.outcome;

/** Too much work is waiting already: come back later (429 with {@code Retry-After}). */
public final class OverloadedException extends GatewayException {
  private final long retryAfterSeconds;

  public OverloadedException(String message, long retryAfterSeconds) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  @Override
  public String reason() {
    return "Overloaded";
  }
}
