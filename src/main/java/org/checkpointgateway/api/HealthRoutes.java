package org.checkpointgateway.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.checkpointgateway.cri.RuntimeWatch;
import runtime.v1.VersionResponse;

/** {@code /healthz} (the process is up) and {@code /readyz} (the runtime answered recently). Open routes. */
final class HealthRoutes {

  private final RuntimeWatch runtime;

  HealthRoutes(RuntimeWatch runtime) {
    this.runtime = runtime;
  }

  void mount(Router router) {
    router.get("/healthz").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; charset=utf-8").end("ok"));
    router.get("/readyz").handler(ctx -> {
      VersionResponse version = runtime.version();
      JsonObject body = new JsonObject();
      if (version != null) {
        body.put("status", "ready")
            .put("runtime", new JsonObject()
                .put("name", version.getRuntimeName())
                .put("version", version.getRuntimeVersion())
                .put("apiVersion", version.getRuntimeApiVersion()));
      } else {
        body.put("status", "not ready").put("reason", runtime.notReadyReason());
      }
      ctx.response().setStatusCode(version != null ? 200 : 503)
          .putHeader("Content-Type", "application/json").end(body.encode());
    });
  }
}
