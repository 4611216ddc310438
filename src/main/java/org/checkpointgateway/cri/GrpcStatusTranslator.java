package org.checkpointgateway.cri;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcErrorException;
import io.vertx.grpc.common.GrpcStatus;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.outcome.GatewayException;
import org.checkpointgateway.outcome.RuntimeCallFailedException;

/**
 * The one place where gRPC outcomes become gateway failures. Codes are spelled as grpc-go's
 * {@code codes.Code.String()} does, because the kubelet's answers embed that text and callers
 * match on it.
 */
final class GrpcStatusTranslator {

  /** How grpc-go describes a connection it could not make: the call never reached the runtime. */
  private static final String DIAL_FAILURE =
      "connection error: desc = \"transport: Error while dialing: ";
  /** Netty's epoll gives the errno in its message: "connect(..) failed with error(-111)". */
  private static final Pattern NETTY_ERRNO = Pattern.compile("error\\(-(\\d{1,4})\\)");

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
        "connection error: desc = \"transport: " + describe(failure) + "\"");
  }

  /**
   * No connection could be made to the socket (nothing listens, no such file): grpc-go's words,
   * {@code dial unix /run/x.sock: connect: connection refused}. Failures of another kind (a
   * closed client) are transport failures.
   */
  static RuntimeCallFailedException fromDial(SocketAddress address, Throwable failure) {
    if (!(failure instanceof IOException)) {
      return fromTransport(failure);
    }
    return dialFailure(address.path(), errno(failure));
  }

  /** @param reason the error as Go's syscall package words it ({@code connection refused}) */
  static RuntimeCallFailedException dialFailure(String socketPath, String reason) {
    return new RuntimeCallFailedException("Unavailable",
        DIAL_FAILURE + "dial unix " + socketPath + ": connect: " + reason + "\"");
  }

  /**
   * Whether the connection to the runtime broke under a call (not a reset of one stream, not a
   * deadline): the runtime may be gone, and nobody should be sent to it before a probe answers.
   */
  static boolean isConnectionLost(Throwable failure) {
    return failure instanceof RuntimeCallFailedException runtime
        && runtime.code().equals("Unavailable")
        && (runtime.description().equals("error reading from server: EOF")
            || runtime.description().startsWith("connection error: desc = \"transport: "));
  }

  /** Whether a call failed before it reached the runtime: it may be made again. */
  static boolean isDialFailure(Throwable failure) {
    return failure instanceof RuntimeCallFailedException runtime
        && runtime.code().equals("Unavailable") && runtime.description().startsWith(DIAL_FAILURE);
  }

  /**
   * The errno text as Go spells it: Linux's strerror in lower case ("no such file or directory").
   * Netty's epoll says "connect(..) failed with error(-111)", the JDK "Connection refused".
   */
  static String errno(Throwable failure) {
    if (failure instanceof FileNotFoundException || failure instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (failure instanceof AccessDeniedException) {
      return "permission denied";
    }
    String text = failure.getMessage();
    if (text == null || text.isBlank()) {
      return failure.getClass().getSimpleName();
    }
    Matcher netty = NETTY_ERRNO.matcher(text);
    if (netty.find()) {
      return strerror(Integer.parseInt(netty.group(1)));
    }
    int address = text.indexOf(": "); // an address the JDK may append
    if (address > 0) {
      text = text.substring(0, address);
    }
    return Character.toLowerCase(text.charAt(0)) + text.substring(1);
  }

  /** The errors a connect to a unix socket can meet, as Go's syscall package words them. */
  private static String strerror(int errno) {
    return switch (errno) {
      case 2 -> "no such file or directory";
      case 11 -> "resource temporarily unavailable";
      case 13 -> "permission denied";
      case 20 -> "not a directory";
      case 88 -> "socket operation on non-socket";
      case 104 -> "connection reset by peer";
      case 110 -> "connection timed out";
      case 111 -> "connection refused";
      default -> "errno " + errno;
    };
  }

  /** A message for the log and the caller; never "null". */
  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }
}
