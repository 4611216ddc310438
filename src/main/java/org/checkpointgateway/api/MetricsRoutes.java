package org.checkpointgateway.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.checkpointgateway.auth.BearerAuthHandler;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.outcome.ForbiddenException;

/** {@code GET /metrics} in Prometheus text format: permission {@code metrics:read}, or open. */
final class MetricsRoutes {

  static final String PATH = "/metrics";
  static final String PERMISSION = "metrics:read";
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final boolean open;

  MetricsRoutes(PrometheusMeterRegistry registry, boolean open) {
    this.registry = registry;
    this.open = open;
  }

  /** Whether {@code /metrics} is one of the open routes, mounted before authentication. */
  boolean open() {
    return open;
  }

  /** Mounts the route: before the authentication handler when open, after it otherwise. */
  void mount(Router router) {
    if (open) {
      router.get(PATH).handler(this::scrape);
    } else {
      router.get(PATH).handler(this::authorize).handler(this::scrape);
    }
  }

  private void authorize(RoutingContext ctx) {
    Caller caller = BearerAuthHandler.caller(ctx);
    if (caller.may(PERMISSION)) {
      ctx.next();
    } else {
      // The kubelet's words for its own metrics endpoint.
      ctx.fail(new ForbiddenException(caller.subject(), "get", "nodes", "metrics"));
    }
  }

  private void scrape(RoutingContext ctx) {
    // Rendering every meter is CPU work proportional to their number: keep it off the loop.
    ctx.vertx().executeBlocking(registry::scrape, false)
        .onSuccess(text -> ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(text))
        .onFailure(ctx::fail);
  }
}
