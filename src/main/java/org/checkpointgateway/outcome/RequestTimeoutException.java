package org.checkpointgateway.outcome;

/** The request's body did not arrive in time: 408, the connection's other requests go on. */
public final class RequestTimeoutException extends GatewayException {
  public RequestTimeoutException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "RequestTimeout";
  }
}
