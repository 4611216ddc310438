package org.checkpointgateway.support;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Parses a whole SSE or NDJSON answer into its events (and counts SSE heartbeat comments). */
public record StreamedEvents(List<JsonObject> events, List<String> names, int heartbeats) {

  public static StreamedEvents sse(String body) {
    List<JsonObject> events = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int heartbeats = 0;
    for (String block : body.split("\n\n")) {
      String name = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith(":")) {
          heartbeats++;
        } else if (line.startsWith("event: ")) {
          name = line.substring("event: ".length());
        } else if (line.startsWith("data: ")) {
          data = line.substring("data: ".length());
        }
      }
      if (data != null) {
        JsonObject event = new JsonObject(data);
        if (!event.getString("event").equals(name)) {
          throw new AssertionError("SSE event name " + name + " but data says " + event);
        }
        events.add(event);
        names.add(name);
      }
    }
    return new StreamedEvents(events, names, heartbeats);
  }

  public static StreamedEvents ndjson(String body) {
    List<JsonObject> events = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int heartbeats = 0;
    for (String line : body.split("\n", -1)) {
      if (line.isEmpty()) {
        heartbeats++;
        continue;
      }
      JsonObject event = new JsonObject(line);
      events.add(event);
      names.add(event.getString("event"));
    }
    // The last split piece after the final newline is not a heartbeat.
    return new StreamedEvents(events, names, Math.max(0, heartbeats - 1));
  }

  /** The events of one container, in order. */
  public List<JsonObject> of(String container) {
    return events.stream().filter(e -> e.getString("container").equals(container)).toList();
  }

  public List<String> namesOf(String container) {
    return of(container).stream().map(e -> e.getString("event")).toList();
  }
}
