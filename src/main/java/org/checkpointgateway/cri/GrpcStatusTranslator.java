package org.checkpointgateway.cri;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcErrorException;
import io.vertx.grpc.common.GrpcStatus;
import org.checkpointgateway.error.GatewayException;
import org.checkpointgateway.error.RuntimeCallFailedException;

/**
 * The one place where gRPC outcomes become gateway failures. Codes are spelled as grpc-go's
 * {@code codes.Code.String()} does, because the kubelet's answers embed that text and callers
 * match on it.
 */
final class GrpcStatusTranslator {

  private GrpcStatusTranslator() {
  }

  static String goName(GrpcStatus status) {
    return switch (status) {
      case OK -> "OK";
      case CANCELLED -> "Canceled";
      case UNKNOWN -> "Unknown";
      case INVALID_ARGUMENT -> "InvalidArgument";
      case DEADLINE_EXCEEDED -> "DeadlineExceeded";
      case NOT_FOUND -> "NotFound";
      case ALREADY_EXISTS -> "AlreadyExists";
      case PERMISSION_DENIED -> "PermissionDenied";
      case RESOURCE_EXHAUSTED -> "ResourceExhausted";
      case FAILED_PRECONDITION -> "FailedPrecondition";
      case ABORTED -> "Aborted";
      case OUT_OF_RANGE -> "OutOfRange";
      case UNIMPLEMENTED -> "Unimplemented";
      case INTERNAL -> "Internal";
      case UNAVAILABLE -> "Unavailable";
      case DATA_LOSS -> "DataLoss";
      case UNAUTHENTICATED -> "Unauthenticated";
    };
  }

  /** The runtime answered with a non-OK status (or broke the response). */
  public static RuntimeCallFailedException fromResponse(GrpcClientResponse<?, ?> response, Throwable failure) {
    GrpcStatus status = response.status();
    if (status == null || status == GrpcStatus.OK) {
      // The stream ended without a status or a message: the transport broke mid-call.
      return fromTransport(failure);
    }
    String message = response.statusMessage();
    return new RuntimeCallFailedException(goName(status), message == null ? "" : message);
  }

  /** The call never got an answer: no socket, connection refused or closed, stream reset. */
  public static RuntimeCallFailedException fromTransport(Throwable failure) {
    if (failure instanceof RuntimeCallFailedException known) {
      return known;
    }
    if (failure instanceof GatewayException) {
      throw new IllegalStateException("not a runtime failure", failure);
    }
    if (failure instanceof GrpcErrorException grpc) {
      return new RuntimeCallFailedException(goName(grpc.status()), String.valueOf(grpc.getMessage()));
    }
    if (failure instanceof StreamResetException reset) {
      return new RuntimeCallFailedException("Unavailable",
          "stream reset by the runtime (HTTP/2 error code " + reset.getCode() + ")");
    }
    if (failure instanceof HttpClosedException) {
      return new RuntimeCallFailedException("Unavailable", "error reading from server: EOF");
    }
    return new RuntimeCallFailedException("Unavailable",
        "connection error: desc = \"transport: " + failure.getMessage() + "\"");
  }
}
