package org.checkpointgateway.fleet;

import io.vertx.core.AsyncResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.api.ErrorMapper;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointEvent.Completed;
import org.checkpointgateway.checkpoint.CheckpointEvent.Failed;
import org.checkpointgateway.checkpoint.CheckpointEvent.Progress;
import org.checkpointgateway.checkpoint.CheckpointEvent.Queued;
import org.checkpointgateway.checkpoint.CheckpointEvent.Started;
import org.checkpointgateway.checkpoint.CheckpointResult;
import org.checkpointgateway.checkpoint.CheckpointTarget;
import org.checkpointgateway.outcome.ForwardedException;
import org.checkpointgateway.outcome.OverloadedException;

/** Event-bus addresses between members, and the JSON of what travels on them. */
final class Wire {

  private Wire() {
  }

  /** A member's event-bus address for one kind of message: every address is spelled here. */
  static String address(String node, String topic) {
    return "checkpoint-gateway.fleet." + node + "." + topic;
  }

  static String checkpointAddress(String node) {
    return address(node, "checkpoint");
  }

  static String cancelAddress(String node) {
    return address(node, "cancel");
  }

  static String runsPodAddress(String node) {
    return address(node, "runs-pod");
  }

  /** Answers every message at once: a round trip proves a link (LinkCheck). */
  static String linkAddress(String node) {
    return address(node, "link");
  }

  /**
   * Where owners send the events of a front's forwarded streams, each naming its request id: one
   * address per member, registered at start, so that every owner already knows it (a consumer
   * registered per request could be unknown to the owner yet, and its first events dropped).
   */
  static String eventsAddress(String front) {
    return address(front, "events");
  }

  /** One event, every field kept (the front encodes it again for its caller). */
  static JsonObject event(CheckpointEvent event) {
    JsonObject json = new JsonObject().put("container", event.container());
    if (event instanceof Queued queued) {
      return json.put("type", "queued").put("position", queued.position())
          .put("bytesAhead", queued.bytesAhead());
    } else if (event instanceof Started started) {
      return json.put("type", "started").put("containerId", started.containerId())
          .put("weightBytes", started.weightBytes())
          .put("estimatedNanos", started.estimated().toNanos());
    } else if (event instanceof Progress progress) {
      return json.put("type", "progress").put("elapsedNanos", progress.elapsed().toNanos())
          .put("fraction", progress.estimatedFraction()).put("archiveBytes", progress.archiveBytes());
    } else if (event instanceof Completed completed) {
      return json.put("type", "completed").put("items", new JsonArray(completed.items()))
          .put("archiveBytes", completed.archiveBytes())
          .put("durationNanos", completed.duration().toNanos());
    }
    Throwable failure = ((Failed) event).failure();
    return failure(json.put("type", "failed"), failure);
  }

  /** A failure as the owner's error mapper words it, with its Retry-After when it has one. */
  private static JsonObject failure(JsonObject json, Throwable failure) {
    json.put("status", ErrorMapper.status(failure)).put("reason", ErrorMapper.reason(failure))
        .put("message", ErrorMapper.message(failure));
    if (failure instanceof OverloadedException overloaded) {
      json.put("retryAfterSeconds", overloaded.retryAfterSeconds());
    }
    return json;
  }

  /**
   * The owner's failure for the front's error mapper: a refusal by the owner's admission is one
   * here too, so the caller gets its Retry-After; anything else is answered as the owner put it.
   */
  private static RuntimeException failure(JsonObject json) {
    if (json.containsKey("retryAfterSeconds")) {
      return new OverloadedException(json.getString("message"), json.getLong("retryAfterSeconds"));
    }
    return new ForwardedException(json.getInteger("status"), json.getString("reason"),
        json.getString("message"));
  }

  @SuppressWarnings("unchecked")
  static CheckpointEvent event(JsonObject json) {
    String container = json.getString("container");
    return switch (json.getString("type")) {
      case "queued" -> new Queued(container, json.getInteger("position"),
          json.getLong("bytesAhead"));
      case "started" -> new Started(container, json.getString("containerId"),
          json.getLong("weightBytes"), Duration.ofNanos(json.getLong("estimatedNanos")));
      case "progress" -> new Progress(container, Duration.ofNanos(json.getLong("elapsedNanos")),
          json.getDouble("fraction"), json.getLong("archiveBytes"));
      case "completed" -> new Completed(container,
          (List<String>) json.getJsonArray("items").getList(), json.getLong("archiveBytes"),
          Duration.ofNanos(json.getLong("durationNanos")));
      default -> new Failed(container, failure(json));
    };
  }

  /** A forwarded checkpoint: the caller's request with the time its context has left. */
  static JsonObject request(String id, String front, CheckpointTarget target, boolean timeoutValid,
      RequestContext context, Caller caller, boolean events) {
    return new JsonObject().put("id", id).put("front", front).put("events", events)
        .put("namespace", target.namespace()).put("pod", target.pod())
        .put("container", target.container()).put("timeoutValid", timeoutValid)
        .put("remainingMillis", context.remainingMillis())
        .put("caller", new JsonObject().put("subject", caller.subject())
            .put("permissions", new JsonArray(caller.permissions()))
            .put("groups", new JsonArray(caller.groups())));
  }

  /**
   * The owner's context of a forwarded checkpoint: the time the front had left (the event bus
   * takes a moment more), cancelled when the front says so or leaves.
   */
  static RequestContext context(JsonObject request) {
    return RequestContext.cancellable(Duration.ofMillis(request.getLong("remainingMillis")));
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
    return failure(new JsonObject(), done.cause());
  }

  /** The owner's answer as this member's routes take it: a result or a failure to map. */
  @SuppressWarnings("unchecked")
  static CheckpointResult result(JsonObject reply) {
    if (reply.containsKey("status")) {
      throw failure(reply);
    }
    return new CheckpointResult((List<String>) reply.getJsonArray("items").getList(),
        reply.getLong("archiveBytes"), Duration.ofNanos(reply.getLong("durationNanos")));
  }
}
