package org.checkpointgateway.outcome;

/** The request's body is of a kind the route does not read (a multipart form where JSON goes). */
public final class UnsupportedMediaTypeException extends GatewayException {
  public UnsupportedMediaTypeException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "UnsupportedMediaType";
  }
}
