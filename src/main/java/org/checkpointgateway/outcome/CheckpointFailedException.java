package org.checkpointgateway.outcome;

/**
 * A checkpoint of one container failed at the runtime (or its deadline passed, or its archive was
 * gone afterwards). The message is the kubelet's:
 * {@code checkpointing of <ns>/<pod>/<container> failed (<cause>)}.
 */
public final class CheckpointFailedException extends GatewayException {
  private final RuntimeCallFailedException runtimeFailure;
  private final String reason;

  /** @param subject {@code <ns>/<pod>/<container>}, or {@code <ns>/<pod>} for a whole pod */
  public CheckpointFailedException(String subject, RuntimeCallFailedException cause) {
    super("checkpointing of " + subject + " failed (" + cause.getMessage() + ")", cause);
    this.runtimeFailure = cause;
    this.reason = cause.reason();
  }

  /**
   * A failure outside the runtime's call, e.g. no archive where the runtime said it wrote one.
   *
   * @param error what happened, in words, for the parentheses
   * @param reason the stable reason ({@code ArchiveMissing})
   */
  public CheckpointFailedException(String subject, String error, String reason) {
    super("checkpointing of " + subject + " failed (" + error + ")");
    this.runtimeFailure = null;
    this.reason = reason;
  }

  /** The runtime's failure; null when the checkpoint failed outside the runtime's call. */
  public RuntimeCallFailedException runtimeFailure() {
    return runtimeFailure;
  }

  @Override
  public String reason() {
    return reason;
  }
}
