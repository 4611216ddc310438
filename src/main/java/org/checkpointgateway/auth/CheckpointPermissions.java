package org.checkpointgateway.auth;

import io.vertx.core.Future;
import org.checkpointgateway.outcome.ForbiddenException;

/** The permission the kubelet-compatible checkpoint route asks for, and its denial. */
public final class CheckpointPermissions {

  private CheckpointPermissions() {}

  /** The kubelet's answer to a caller that may not checkpoint: create on nodes/checkpoint. */
  public static ForbiddenException checkpointDenial(Caller caller) {
    return new ForbiddenException(caller.subject(), "create", "nodes", "checkpoint");
  }

  /**
   * Succeeds with the caller when it may checkpoint in {@code namespace}, else fails with
   * {@link #checkpointDenial}. A namespace with permission syntax is denied, never widened: with
   * {@code checkpoint:create:a}, the name {@code a:b} would otherwise be implied.
   */
  public static Future<Caller> requireCheckpoint(Caller caller, String namespace) {
    return mayCheckpoint(caller, namespace) ? Future.succeededFuture(caller)
        : Future.failedFuture(checkpointDenial(caller));
  }

  /**
   * Whether the caller may checkpoint in {@code namespace}, that is
   * {@code checkpoint:create:<namespace>} (what {@link #requireCheckpoint} asks), for callers
   * that filter rather than refuse.
   */
  public static boolean mayCheckpoint(Caller caller, String namespace) {
    return isPlainName(namespace) && caller.mayDo("checkpoint", "create", namespace);
  }

  private static boolean isPlainName(String namespace) {
    return !namespace.isBlank() && !namespace.contains(":") && !namespace.contains(",")
        && !namespace.contains("*");
  }
}
