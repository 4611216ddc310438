package org.checkpointgateway.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.checkpointgateway.auth.BearerAuthHandler;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.outcome.ForbiddenException;

/** {@code GET /api/v1/nodes}: the fleet's members (permission {@code nodes:read}). */
final class NodeRoutes {

  static final String PATH = "/api/v1/nodes";
  static final String PERMISSION = "nodes:read";

  private final FleetView fleet;

  NodeRoutes(FleetView fleet) {
    this.fleet = fleet;
  }

  /** Behind the authentication that GatewayVerticle mounts once in front of every route. */
  void mount(Router router) {
    router.get(PATH).handler(this::list);
  }

  private void list(RoutingContext ctx) {
    Caller caller = BearerAuthHandler.caller(ctx);
    caller.require(PERMISSION, () -> new ForbiddenException(caller.subject(), "get", "nodes", ""))
        .compose(ok -> fleet.nodes())
        .onSuccess(nodes -> ctx.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("items", new JsonArray(nodes)).encode()))
        .onFailure(ctx::fail);
  }
}
