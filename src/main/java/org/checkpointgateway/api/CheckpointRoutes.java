package org.checkpointgateway.api;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import org.checkpointgateway.auth.BearerAuthHandler;
import org.checkpointgateway.auth.CheckpointPermissions;
import org.checkpointgateway.checkpoint.CheckpointResult;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.checkpoint.CheckpointTarget;
import org.checkpointgateway.error.NotFoundException;

/** {@code POST /checkpoint/{namespace}/{pod}/{container}}: the kubelet's route, its answers to the letter. */
final class CheckpointRoutes {

  static final String PATH = "/checkpoint/:namespace/:pod/:container";
  /** A caller may ask to wait a very long time; cap it where timers and grpc-timeout stay exact. */
  static final Duration MAX_TIMEOUT = Duration.ofDays(365);

  private final CheckpointService service;
  private final Duration defaultTimeout;

  CheckpointRoutes(CheckpointService service, Duration defaultTimeout) {
    this.service = service;
    this.defaultTimeout = defaultTimeout;
  }

  void mount(Router router, BearerAuthHandler authentication) {
    router.post(PATH).handler(authentication).handler(this::checkpoint);
    // Any other method on the path: the kubelet's router answers 405.
    router.route(PATH).handler(ctx -> ctx.fail(405));
  }

  private void checkpoint(RoutingContext ctx) {
    CheckpointTarget target = new CheckpointTarget(ctx.pathParam("namespace"),
        ctx.pathParam("pod"), ctx.pathParam("container"));
    Duration timeout = timeout(ctx.queryParam("timeout"));
    Promise<Void> callerGone = Promise.promise();
    ctx.response().closeHandler(ignored -> callerGone.tryComplete());
    CheckpointPermissions.requireCheckpoint(BearerAuthHandler.caller(ctx), target.namespace())
        .compose(caller -> timeout != null
            ? service.checkpoint(target, timeout, callerGone.future())
            // The kubelet finds pod and container before it reads the timeout: keep its order.
            : service.lookup(target).compose(ignored -> Future.<CheckpointResult>failedFuture(
                new NotFoundException("cannot parse value of timeout parameter"))))
        .onSuccess(result -> ctx.response()
            .putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("items", new JsonArray(result.items())).encode()))
        .onFailure(ctx::fail);
  }

  /**
   * The kubelet's reading of {@code ?timeout=}: the last value wins, a base-10 integer of seconds;
   * 0 or absent means the default. Returns null when the value cannot be used.
   */
  private Duration timeout(List<String> values) {
    if (values.isEmpty()) {
      return defaultTimeout;
    }
    long seconds;
    try {
      seconds = Long.parseLong(values.get(values.size() - 1));
    } catch (NumberFormatException e) {
      return null;
    }
    if (seconds < 0) {
      return null;
    }
    if (seconds == 0) {
      return defaultTimeout;
    }
    Duration asked = Duration.ofSeconds(seconds);
    return asked.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : asked;
  }
}
