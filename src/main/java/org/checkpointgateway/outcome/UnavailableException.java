package org.checkpointgateway.outcome;

/** The gateway cannot take the request now, e.g. because it is stopping (503). */
public final class UnavailableException extends GatewayException {
  public UnavailableException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "Unavailable";
  }
}
