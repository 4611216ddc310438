package org.checkpointgateway.error;

/**
 * A checkpoint of one container failed at the runtime (or its deadline passed). The message is
 * the kubelet's: {@code checkpointing of <ns>/<pod>/<container> failed (<cause>)}.
 */
public final class CheckpointFailedException extends GatewayException {
  private final RuntimeCallFailedException runtimeFailure;

  /** @param subject {@code <ns>/<pod>/<container>}, or {@code <ns>/<pod>} for a whole pod */
  public CheckpointFailedException(String subject, RuntimeCallFailedException cause) {
    super("checkpointing of " + subject + " failed (" + cause.getMessage() + ")", cause);
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
