package org.checkpointgateway.fleet;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Each member's status (runtime readiness, checkpoints running and queued, bytes in flight, its
 * advertised URL) in a Hazelcast map by node name, written when it changes, checked every
 * second; read for {@code GET /api/v1/nodes}. Map calls run on workers.
 */
final class NodeStatuses {

  static final String MAP = "checkpoint-gateway.nodes";
  static final Duration REFRESH = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final String node;
  private final IMap<String, String> map;
  private final Members members;
  private final Fleet.LocalStatus local;
  private volatile String advertiseUrl;
  private String published;
  private long timer = -1;

  NodeStatuses(Vertx vertx, String node, HazelcastInstance hazelcast, Members members,
      Fleet.LocalStatus local, String advertiseUrl) {
    this.vertx = vertx;
    this.node = node;
    this.map = hazelcast.getMap(MAP);
    this.members = members;
    this.local = local;
    this.advertiseUrl = advertiseUrl;
  }

  Future<Void> start() {
    timer = vertx.setPeriodic(REFRESH.toMillis(), id -> publish());
    return publish();
  }

  Future<Void> stop() {
    vertx.cancelTimer(timer);
    return remove(node);
  }

  String node() {
    return node;
  }

  /** Port 0 was asked for: the advertised URL takes the port actually bound. */
  void httpPort(int port) {
    advertiseUrl = advertiseUrl.replaceFirst(":0$", ":" + port);
  }

  /** Writes the status again at the next check (the others may have removed it). */
  void republish() {
    published = null;
  }

  Future<Void> remove(String gone) {
    return vertx.executeBlocking(() -> {
      map.delete(gone);
      return null;
    }, false);
  }

  /** Every current member's last status, by name; a member not yet published has its name only. */
  Future<List<JsonObject>> all() {
    List<String> names = members.names();
    return vertx.executeBlocking(() -> map.getAll(new HashSet<>(names)), false)
        .map(found -> names.stream().map(name -> status(name, found))
            .sorted(Comparator.comparing(status -> status.getString("name"))).toList());
  }

  private JsonObject status(String name, Map<String, String> found) {
    String json = found.get(name);
    JsonObject status = json != null ? new JsonObject(json) : new JsonObject().put("name", name);
    return status.put("joinedAt", members.joinedAt(name).toString());
  }

  private Future<Void> publish() {
    String status = new JsonObject().put("name", node).put("advertiseUrl", advertiseUrl)
        .put("runtimeReady", local.runtimeReady().getAsBoolean())
        .put("checkpointsRunning", local.running().getAsInt())
        .put("checkpointsQueued", local.queued().getAsInt())
        .put("bytesInFlight", local.bytesInFlight().getAsLong()).encode();
    if (status.equals(published)) {
      return Future.succeededFuture();
    }
    published = status;
    return vertx.<Void>executeBlocking(() -> {
      map.set(node, status);
      return null;
    }, false).onFailure(failure -> published = null);
  }
}
