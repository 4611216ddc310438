package org.checkpointgateway.outcome;

/**
 * A CRI call failed. The message reads as grpc-go prints a status error
 * ({@code rpc error: code = Unimplemented desc = ...}) because the kubelet embeds exactly that
 * text in its answers and callers match on it.
 */
public final class RuntimeCallFailedException extends GatewayException {
  private final String code;
  private final String description;

  /**
   * @param code the gRPC code spelled as grpc-go spells it ({@code DeadlineExceeded}, {@code Unknown} ...)
   * @param description the status message
   */
  public RuntimeCallFailedException(String code, String description) {
    super("rpc error: code = " + code + " desc = " + description);
    this.code = code;
    this.description = description;
  }

  public String code() {
    return code;
  }

  public String description() {
    return description;
  }

  @Override
  public String reason() {
    return "Runtime" + code;
  }
}
