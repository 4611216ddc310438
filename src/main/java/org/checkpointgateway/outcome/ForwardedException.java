package org.checkpointgateway.outcome;

/**
 * A failure another fleet member answered for a request it carried out: its status, reason and
 * message exactly as that member would have answered them to the caller itself.
 */
public final class ForwardedException extends GatewayException {
  private final int status;
  private final String reason;

  public ForwardedException(int status, String reason, String message) {
    super(message);
    this.status = status;
    this.reason = reason;
  }

  /** The HTTP status the owning member chose. */
  public int status() {
    return status;
  }

  @Override
  public String reason() {
    return reason;
  }
}
