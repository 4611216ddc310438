package org.checkpointgateway.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointEvent.Completed;
import org.checkpointgateway.checkpoint.CheckpointEvent.Failed;
import org.checkpointgateway.checkpoint.CheckpointEvent.Progress;
import org.checkpointgateway.checkpoint.CheckpointEvent.Queued;
import org.checkpointgateway.checkpoint.CheckpointEvent.Started;

/** The wire form of checkpoint events, shared by the streaming route and the job event stream. */
final class EventJson {

  private EventJson() {
  }

  static String name(CheckpointEvent event) {
    if (event instanceof Queued) {
      return "queued";
    } else if (event instanceof Started) {
      return "started";
    } else if (event instanceof Progress) {
      return "progress";
    } else if (event instanceof Completed) {
      return "completed";
    }
    return "failed";
  }

  static JsonObject encode(CheckpointEvent event) {
    JsonObject json = new JsonObject().put("event", name(event)).put("container", event.container());
    if (event instanceof Queued queued) {
      json.put("position", queued.position()).put("bytesAhead", queued.bytesAhead());
    } else if (event instanceof Started started) {
      json.put("containerId", started.containerId())
          .put("weightBytes", started.weightBytes())
          .put("estimatedSeconds", seconds(started.estimated()))
          .put("estimate", true);
    } else if (event instanceof Progress progress) {
      json.put("elapsedSeconds", seconds(progress.elapsed()))
          .put("estimatedFraction", Math.round(progress.estimatedFraction() * 1000) / 1000.0)
          .put("archiveBytes", progress.archiveBytes())
          .put("estimate", true);
    } else if (event instanceof Completed completed) {
      json.put("items", new JsonArray(completed.items()))
          .put("archiveBytes", completed.archiveBytes())
          .put("durationSeconds", seconds(completed.duration()));
    } else if (event instanceof Failed failed) {
      json.put("status", ErrorMapper.status(failed.failure()))
          .put("reason", ErrorMapper.reason(failed.failure()))
          .put("message", ErrorMapper.message(failed.failure()));
    }
    return json;
  }

  static double seconds(Duration duration) {
    return Math.round(duration.toNanos() / 1e6) / 1000.0;
  }
}
