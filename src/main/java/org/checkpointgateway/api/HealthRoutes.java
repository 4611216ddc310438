package org.checkpointgateway.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.checkpointgateway.cri.RuntimeStatus;

/** {@code /healthz} (the process is up) and {@code /readyz} (the runtime answered recently). Open routes. */
final class HealthRoutes {

  private final Readiness readiness;

  HealthRoutes(Readiness readiness) {
    this.readiness = readiness;
  }

  void mount(Router router) {
    router.get("/healthz").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; charset=utf-8").end("ok"));
    router.get("/readyz").handler(ctx -> {
      RuntimeStatus status = readiness.now();
      JsonObject body = new JsonObject();
      if (status instanceof RuntimeStatus.Ready runtime) {
        body.put("status", "ready")
            .put("runtime", new JsonObject()
                .put("name", runtime.name())
                .put("version", runtime.version())
                .put("apiVersion", runtime.apiVersion()));
      } else {
        body.put("status", "not ready").put("reason", ((RuntimeStatus.NotReady) status).reason());
      }
      ctx.response().setStatusCode(status instanceof RuntimeStatus.Ready ? 200 : 503)
          .putHeader("Content-Type", "application/json").end(body.encode());
    });
  }
}
