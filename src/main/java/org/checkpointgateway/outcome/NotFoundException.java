package org.checkpointgateway.outcome;

/** The thing asked for does not exist (pod, container, archive, or the route itself). */
public final class NotFoundException extends GatewayException {
  public NotFoundException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "NotFound";
  }
}
