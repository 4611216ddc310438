package org.checkpointgateway.error;

/**
 * A checkpoint of one container failed at the runtime (or its deadline passed). The message is
 * the kubelet's: {@code checkpointing of <ns>/<pod>/<container> failed (<cause>)}.
 */
public final class CheckpointFailedException extends GatewayException {
  private final RuntimeCallFailedException runtimeFailure;

  public CheckpointFailedException(String namespace, String pod, String container,
      RuntimeCallFailedException cause) {
    super("checkpointing of " + namespace + "/" + pod + "/" + container + " failed ("
        + cause.getMessage() + ")", cause);
    this.runtimeFailure = cause;
  }

  public RuntimeCallFailedException runtimeFailure() {
    return runtimeFailure;
  }

  @Override
  public String reason() {
    return runtimeFailure.reason();
  }
}
