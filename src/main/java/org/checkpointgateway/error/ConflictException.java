package org.checkpointgateway.error;

/** The request contradicts the state of what it names (409). */
public final class ConflictException extends GatewayException {
  public ConflictException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "Conflict";
  }
}
