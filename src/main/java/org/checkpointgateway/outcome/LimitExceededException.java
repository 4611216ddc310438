package org.checkpointgateway.outcome;

/**
 * The request is understood but its object lies beyond a configured bound (an archive too big
 * to inspect): 422, since asking again will not help until the limit is raised.
 */
public final class LimitExceededException extends GatewayException {
  public LimitExceededException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "LimitExceeded";
  }
}
