package org.checkpointgateway.outcome;

/** The checkpoint directory cannot hold the archive (507); the runtime was never called. */
public final class InsufficientStorageException extends GatewayException {
  public InsufficientStorageException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "InsufficientStorage";
  }
}
