package org.checkpointgateway.auth;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import java.util.function.Function;
import org.checkpointgateway.error.UnauthenticatedException;

/**
 * The vertx-web handler in front of every protected route: verifies the {@code Authorization}
 * header, stores the {@link Caller} for the next handlers ({@link #caller}) and calls
 * {@code next()}, or fails the context with an {@link UnauthenticatedException} (the error
 * mapper chooses the status). {@link #audited} does the same and also writes an audit record of
 * the request when its response ends.
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {

  private static final String CALLER_KEY = BearerAuthHandler.class.getName() + ".caller";

  private final TokenVerifier verifier;
  private final Audit audit;

  private BearerAuthHandler(TokenVerifier verifier, Audit audit) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  /** A handler that authenticates requests with {@code verifier}, auditing nothing. */
  public static BearerAuthHandler create(TokenVerifier verifier) {
    return create(verifier, Audit.none());
  }

  /** A handler that authenticates requests with {@code verifier} and audits to {@code audit}. */
  public static BearerAuthHandler create(TokenVerifier verifier, Audit audit) {
    return new BearerAuthHandler(verifier, audit);
  }

  /**
   * Authenticates as this handler does, then records {@code action} on the target (read from the
   * request when its response ends, e.g. from path parameters) with its outcome. Requests
   * refused for their token are not audited: there is no user to name.
   */
  public Handler<RoutingContext> audited(String action, Function<RoutingContext, String> target) {
    if (audit == Audit.none()) {
      return this;
    }
    return ctx -> authenticate(ctx, caller -> AuditedRequest.watch(ctx, audit, caller, action,
        target));
  }

  /** The path parameters {@code names}, joined by {@code /}: a target for {@link #audited}. */
  public static Function<RoutingContext, String> params(String... names) {
    return ctx -> {
      StringBuilder target = new StringBuilder();
      for (String name : names) {
        String value = ctx.pathParam(name);
        if (value != null) {
          target.append(target.isEmpty() ? "" : "/").append(value);
        }
      }
      return target.toString();
    };
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
    authenticate(ctx, caller -> {
    });
  }

  private void authenticate(RoutingContext ctx, java.util.function.Consumer<Caller> before) {
    verifier.verify(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).onComplete(
        caller -> {
          ctx.put(CALLER_KEY, caller);
          before.accept(caller);
          ctx.next();
        },
        ctx::fail);
  }
}
