package org.checkpointgateway.api;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.checkpointgateway.outcome.BadRequestException;

/**
 * The first route of every request: what is malformed at the HTTP level is refused with 400
 * before any route reads it. Without this, a bad escape in a path or query ({@code ?%}) threw
 * from deep inside vertx-web's route matching or a handler's query read, and every such request
 * logged a stack trace. A missing {@code Host} is refused by vertx-web itself, before any route;
 * {@link ErrorMapper} answers it as 400.
 */
final class RequestChecks {

  private RequestChecks() {
  }

  static void mount(Router router) {
    // No path: a route without one adds nothing to the route label of the request metrics.
    router.route().handler(RequestChecks::check);
  }

  private static void check(RoutingContext ctx) {
    Optional<String> malformed = malformed(ctx.request());
    if (malformed.isPresent()) {
      ctx.fail(new BadRequestException(malformed.get()));
    } else {
      ctx.next();
    }
  }

  static Optional<String> malformed(HttpServerRequest request) {
    // RFC 9112 3.2: more than one Host is a 400, like a missing one.
    if (request.version() != HttpVersion.HTTP_2 && request.headers().getAll("Host").size() > 1) {
      return Optional.of("more than one Host header");
    }
    Optional<String> path = malformedPath(request.path());
    if (path.isPresent()) {
      return path;
    }
    try {
      // Decodes the query once; vertx-web and the handlers read this same decoded map later.
      request.params();
    } catch (IllegalArgumentException e) {
      return Optional.of("malformed query string: a '%' must be followed by two hex digits");
    }
    return Optional.empty();
  }

  /**
   * Vert.x's handler of requests Netty could not decode: answered with the reason in plain text,
   * then the connection is closed (what follows on it cannot be framed with any confidence).
   */
  static Handler<HttpServerRequest> invalid(int maxHeaderSize) {
    return request -> {
      Throwable cause = request.decoderResult().cause();
      int status;
      String text;
      if (cause instanceof TooLongHttpLineException) {
        status = 414;
        text = "request line longer than " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH
            + " bytes";
      } else if (cause instanceof TooLongHttpHeaderException) {
        status = 431;
        text = "request headers larger than " + maxHeaderSize + " bytes";
      } else {
        status = 400;
        text = "malformed request: " + RateLimitedLog.clean(String.valueOf(
            cause == null ? null : cause.getMessage()));
      }
      ErrorMapper.logMalformed(status, request, text);
      HttpServerResponse response = request.response();
      response.setStatusCode(status)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .putHeader(HttpHeaders.CONNECTION, "close")
          .end(text)
          .onComplete(ignored -> request.connection().close());
    };
  }

  /** Why a raw (undecoded) request path cannot be decoded, if it cannot. */
  static Optional<String> malformedPath(String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || !hex(path.charAt(i + 1)) || !hex(path.charAt(i + 2))) {
        return Optional.of("malformed path: a '%' must be followed by two hex digits");
      }
    }
    return Optional.empty();
  }

  private static boolean hex(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }
}
