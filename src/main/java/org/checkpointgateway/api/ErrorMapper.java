package org.checkpointgateway.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.checkpointgateway.outcome.BadRequestException;
import org.checkpointgateway.outcome.ConflictException;
import org.checkpointgateway.outcome.ForbiddenException;
import org.checkpointgateway.outcome.ForwardedException;
import org.checkpointgateway.outcome.GatewayException;
import org.checkpointgateway.outcome.InsufficientStorageException;
import org.checkpointgateway.outcome.LimitExceededException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.outcome.OverloadedException;
import org.checkpointgateway.outcome.RangeNotSatisfiableException;
import org.checkpointgateway.outcome.RequestTimeoutException;
import org.checkpointgateway.outcome.UnauthenticatedException;
import org.checkpointgateway.outcome.UnavailableException;
import org.checkpointgateway.outcome.UnsupportedMediaTypeException;

/**
 * The one place where failures become HTTP answers. The kubelet-compatible routes answer in the
 * kubelet's plain text; {@code /api/v1} answers in one JSON shape
 * ({@code {"status":..,"reason":..,"message":..}}). Anything unknown is a 500 and is logged.
 */
public final class ErrorMapper {

  private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());
  private static final String API_PREFIX = "/api/";
  /** A caller can send malformed requests as fast as it likes: one short line each, rationed. */
  private static final RateLimitedLog MALFORMED = new RateLimitedLog(LOG, 10);
  /** Our own failures keep their stack trace, rationed too: a caller might find a way to repeat one. */
  private static final RateLimitedLog UNEXPECTED = new RateLimitedLog(LOG, 5);

  private ErrorMapper() {
  }

  /** The HTTP status of a failure; runtime failures and anything unknown are server errors. */
  public static int status(Throwable failure) {
    if (failure instanceof NotFoundException) {
      return 404;
    } else if (failure instanceof BadRequestException) {
      return 400;
    } else if (failure instanceof UnauthenticatedException) {
      return 401;
    } else if (failure instanceof ForbiddenException) {
      return 403;
    } else if (failure instanceof ConflictException) {
      return 409;
    } else if (failure instanceof OverloadedException) {
      return 429;
    } else if (failure instanceof UnavailableException) {
      return 503;
    } else if (failure instanceof InsufficientStorageException) {
      return 507;
    } else if (failure instanceof RangeNotSatisfiableException) {
      return 416;
    } else if (failure instanceof UnsupportedMediaTypeException) {
      return 415;
    } else if (failure instanceof RequestTimeoutException) {
      return 408;
    } else if (failure instanceof LimitExceededException) {
      return 422;
    } else if (failure instanceof ForwardedException forwarded) {
      return forwarded.status();
    }
    return 500;
  }

  /** The stable reason of a failure, as JSON bodies and events carry it. */
  public static String reason(Throwable failure) {
    return failure instanceof GatewayException known ? known.reason() : "InternalError";
  }

  /** The message a caller may see: ours in full, an unexpected one never (it is logged). */
  public static String message(Throwable failure) {
    return failure instanceof GatewayException ? failure.getMessage() : "Internal Server Error";
  }

  /** A router failure handler: answers for a failed Future or a bare status (404, 405 ...). */
  public static void handle(RoutingContext ctx) {
    Throwable failure = refusedByVertxWeb(ctx) ? new BadRequestException(
        String.valueOf(ctx.failure().getMessage())) : ctx.failure();
    if (failure instanceof HttpClosedException || failure instanceof StreamResetException) {
      // The caller went away (closed the connection, or reset its HTTP/2 stream) while its
      // request was read: no one to answer, and no fault of ours.
      LOG.fine(() -> "connection closed during " + ctx.request().method() + " "
          + ctx.request().path());
      return;
    }
    int status = failure != null ? status(failure) : ctx.statusCode();
    String message;
    String reason;
    if (failure != null) {
      if (!(failure instanceof GatewayException)) {
        UNEXPECTED.log(Level.SEVERE, "unexpected failure on " + ctx.request().method() + " "
            + ctx.request().path(), failure);
      }
      message = message(failure);
      reason = reason(failure);
    } else {
      message = bareStatusText(status);
      reason = HttpResponseStatus.valueOf(status).reasonPhrase().replace(" ", "");
    }
    if (status == 400) {
      logMalformed(400, ctx.request(), message);
    }
    if (failure instanceof UnauthenticatedException && failure.getCause() != null) {
      LOG.fine(() -> "unauthenticated request to " + ctx.request().path() + ": "
          + failure.getCause().getMessage());
    }
    HttpServerResponse response = ctx.response();
    // The router pauses each request; a failure answered while the request's end is still unread
    // left the kept-alive connection stuck before its next request (requests that never answer,
    // seen with 405 and 404 under load, on main as well). Reading on lets the exchange complete.
    if (!ctx.request().isEnded()) {
      ctx.request().resume();
    }
    if (response.headWritten()) {
      // A stream already under way cannot change its status; end it so the caller notices.
      response.reset();
      return;
    }
    response.setStatusCode(status);
    if (failure instanceof OverloadedException overloaded) {
      response.putHeader("Retry-After", Long.toString(overloaded.retryAfterSeconds()));
    } else if (failure instanceof RangeNotSatisfiableException range) {
      response.putHeader("Content-Range", "bytes */" + range.completeLength());
    }
    if (ctx.request().path().startsWith(API_PREFIX)) {
      response.putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", status).put("reason", reason)
              .put("message", message).encode());
    } else {
      // The kubelet's http.Error shape, without its trailing newline.
      response.putHeader("Content-Type", "text/plain; charset=utf-8")
          .putHeader("X-Content-Type-Options", "nosniff")
          .end(message);
    }
  }

  /**
   * vertx-web refusing a malformed request before any route (no {@code Host}, an empty path):
   * the caller's mistake, in vertx-web's words.
   */
  private static boolean refusedByVertxWeb(RoutingContext ctx) {
    return ctx.failure() != null && !(ctx.failure() instanceof GatewayException)
        && ctx.statusCode() == 400;
  }

  /** One short line for a caller's malformed request, within the shared ration. */
  static void logMalformed(int status, HttpServerRequest request, String why) {
    MALFORMED.log(Level.INFO, status + " for " + request.method() + " " + request.path() + " from "
        + request.remoteAddress() + ": " + why, null);
  }

  /** Texts of the kubelet's Go router for statuses that carry no failure. */
  private static String bareStatusText(int status) {
    return switch (status) {
      case 404 -> "404 page not found";
      case 405 -> "405: Method Not Allowed";
      default -> HttpResponseStatus.valueOf(status).reasonPhrase();
    };
  }
}
