package org.checkpointgateway.outcome;

/**
 * A {@code Range} request whose first byte lies beyond the end of the representation. The answer
 * carries {@code Content-Range: bytes *}{@code /<completeLength>} (RFC 9110, 15.5.17).
 */
public final class RangeNotSatisfiableException extends GatewayException {
  private final long completeLength;

  public RangeNotSatisfiableException(String range, long completeLength) {
    super("range " + range + " is not satisfiable: the archive has " + completeLength + " bytes");
    this.completeLength = completeLength;
  }

  public long completeLength() {
    return completeLength;
  }

  @Override
  public String reason() {
    return "RangeNotSatisfiable";
  }
}
