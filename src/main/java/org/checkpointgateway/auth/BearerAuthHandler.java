package org.checkpointgateway.auth;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import org.checkpointgateway.error.UnauthenticatedException;

/**
 * The vertx-web handler in front of every protected route: verifies the {@code Authorization}
 * header, stores the {@link Caller} for the next handlers ({@link #caller}) and calls
 * {@code next()}, or fails the context with an {@link UnauthenticatedException} (the error
 * mapper chooses the status).
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {

  private static final String CALLER_KEY = BearerAuthHandler.class.getName() + ".caller";

  private final TokenVerifier verifier;

  private BearerAuthHandler(TokenVerifier verifier) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
  }

  /** A handler that authenticates requests with {@code verifier}. */
  public static BearerAuthHandler create(TokenVerifier verifier) {
    return new BearerAuthHandler(verifier);
  }

  /**
   * The caller stored by this handler.
   *
   * @throws IllegalStateException when the route is not behind a BearerAuthHandler: that is a
   *     wiring bug, and answering as some default caller would hide it
   */
  public static Caller caller(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER_KEY);
    if (caller == null) {
      throw new IllegalStateException("no Caller: route is not behind BearerAuthHandler");
    }
    return caller;
  }

  @Override
  public void handle(RoutingContext ctx) {
    verifier.verify(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).onComplete(
        caller -> {
          ctx.put(CALLER_KEY, caller);
          ctx.next();
        },
        ctx::fail);
  }
}
