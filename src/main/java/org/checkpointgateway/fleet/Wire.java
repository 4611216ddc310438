package org.checkpointgateway.fleet;

import io.vertx.core.AsyncResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.checkpointgateway.api.ErrorMapper;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.checkpoint.CheckpointResult;
import org.checkpointgateway.checkpoint.CheckpointTarget;
import org.checkpointgateway.error.ForwardedException;

/** Event-bus addresses between members, and the JSON of what travels on them. */
final class Wire {

  private Wire() {
  }

  static String checkpointAddress(String node) {
    return "checkpoint-gateway.fleet." + node + ".checkpoint";
  }

  static String cancelAddress(String node) {
    return "checkpoint-gateway.fleet." + node + ".cancel";
  }

  static String runsPodAddress(String node) {
    return "checkpoint-gateway.fleet." + node + ".runs-pod";
  }

  static JsonObject request(String id, String front, CheckpointTarget target, boolean timeoutValid,
      Duration remaining, Caller caller) {
    return new JsonObject().put("id", id).put("front", front)
        .put("namespace", target.namespace()).put("pod", target.pod())
        .put("container", target.container()).put("timeoutValid", timeoutValid)
        .put("remainingMillis", remaining.toMillis())
        .put("caller", new JsonObject().put("subject", caller.subject())
            .put("permissions", new JsonArray(caller.permissions()))
            .put("groups", new JsonArray(caller.groups())));
  }

  static CheckpointTarget target(JsonObject request) {
    return new CheckpointTarget(request.getString("namespace"), request.getString("pod"),
        request.getString("container"));
  }

  @SuppressWarnings("unchecked")
  static Caller caller(JsonObject request) {
    JsonObject caller = request.getJsonObject("caller");
    return new Caller(caller.getString("subject"),
        (List<String>) caller.getJsonArray("permissions").getList(),
        (List<String>) caller.getJsonArray("groups").getList());
  }

  /** What the owner answered, success or failure, in the words its own routes would use. */
  static JsonObject reply(AsyncResult<CheckpointResult> done) {
    if (done.succeeded()) {
      CheckpointResult result = done.result();
      return new JsonObject().put("items", new JsonArray(result.items()))
          .put("archiveBytes", result.archiveBytes())
          .put("durationNanos", result.duration().toNanos());
    }
    Throwable failure = done.cause();
    return new JsonObject().put("status", ErrorMapper.status(failure))
        .put("reason", ErrorMapper.reason(failure)).put("message", ErrorMapper.message(failure));
  }

  /** The owner's answer as this member's routes take it: a result or a failure to map. */
  @SuppressWarnings("unchecked")
  static CheckpointResult result(JsonObject reply) {
    if (reply.containsKey("status")) {
      throw new ForwardedException(reply.getInteger("status"), reply.getString("reason"),
          reply.getString("message"));
    }
    return new CheckpointResult((List<String>) reply.getJsonArray("items").getList(),
        reply.getLong("archiveBytes"), Duration.ofNanos(reply.getLong("durationNanos")));
  }
}
