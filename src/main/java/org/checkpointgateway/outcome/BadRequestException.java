package org.checkpointgateway.outcome;

/** The caller's input cannot be understood. */
public final class BadRequestException extends GatewayException {
  public BadRequestException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "BadRequest";
  }
}
