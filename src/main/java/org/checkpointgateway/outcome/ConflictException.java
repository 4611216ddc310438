package org.checkpointgateway.outcome;

/** The request cannot be carried out in the resource's present state (an archive being written, pinned or downloaded). */
public final class ConflictException extends GatewayException {
  public ConflictException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "Conflict";
  }
}
