package org.checkpointgateway.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.BooleanSupplier;
import org.checkpointgateway.cri.RuntimeWatch;
import runtime.v1.VersionResponse;

/** {@code /healthz} (the process is up) and {@code /readyz} (the runtime answered recently). Open routes. */
final class HealthRoutes {

  private final RuntimeWatch runtime;
  private final BooleanSupplier stopping;

  HealthRoutes(RuntimeWatch runtime, BooleanSupplier stopping) {
    this.runtime = runtime;
    this.stopping = stopping;
  }

  void mount(Router router) {
    router.get("/healthz").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; charset=utf-8").end("ok"));
    router.get("/readyz").handler(ctx -> {
      // Once stopping, not ready: load balancers send new work elsewhere while we drain.
      VersionResponse version = stopping.getAsBoolean() ? null : runtime.version();
      JsonObject body = new JsonObject();
      if (stopping.getAsBoolean()) {
        body.put("status", "not ready").put("reason", "the gateway is stopping");
      } else if (version != null) {
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
