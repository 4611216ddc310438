package org.checkpointgateway.outcome;

/** No valid credentials: missing, malformed, expired or wrongly signed token. */
public final class UnauthenticatedException extends GatewayException {
  public UnauthenticatedException(String detail) {
    // The kubelet answers the bare word; the detail is kept for the log only.
    super("Unauthorized", detail == null ? null : new IllegalStateException(detail));
  }

  @Override
  public String reason() {
    return "Unauthorized";
  }
}
