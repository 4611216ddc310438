package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.checkpointgateway.api.CheckpointRouteTest.assertPlain;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.checkpointgateway.sim.CheckpointObservation;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.StreamedEvents;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Live progress on the checkpoint routes: SSE and NDJSON, container and pod. */
class ProgressWriterRouteTest extends GatewayTestBase {

  static final Map<String, String> SSE = Map.of("Accept", "text/event-stream");
  static final Map<String, String> NDJSON = Map.of("Accept", "application/x-ndjson");

  String token;

  @BeforeEach
  void start() {
    fixture.startGateway(fixture.settings()
        .override("maxConcurrent", "1", "--max-concurrent")
        .override("progressInterval", "100ms", "--progress-interval")
        .override("heartbeatInterval", "100ms", "--heartbeat-interval")
        .override("shutdownGrace", "0", "--shutdown-grace"));
    token = fixture.adminToken();
  }


  HttpAnswer stream(String uri, Map<String, String> accept) {
    return Await.result(fixture.request(HttpMethod.POST, uri, token, accept));
  }

  @Test
  void sseTellsStartProgressAndCompletionInOrder() throws Exception {
    HttpAnswer answer = stream("/checkpoint/default/timed/half", SSE);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).startsWith("text/event-stream");
    StreamedEvents events = StreamedEvents.sse(answer.body());
    assertThat(events.names().get(0)).isEqualTo("started");
    assertThat(events.names().subList(1, events.names().size() - 1)).isNotEmpty()
        .containsOnly("progress");
    assertThat(events.names().get(events.names().size() - 1)).isEqualTo("completed");

    JsonObject started = events.events().get(0);
    assertThat(started.getString("container")).isEqualTo("half");
    assertThat(started.getString("containerId")).hasSize(64);
    assertThat(started.getLong("weightBytes")).isEqualTo(64L << 20);
    assertThat(started.getDouble("estimatedSeconds")).isPositive();
    assertThat(started.getBoolean("estimate")).isTrue();
    List<JsonObject> progress = events.events().subList(1, events.events().size() - 1);
    for (int i = 1; i < progress.size(); i++) {
      assertThat(progress.get(i).getDouble("elapsedSeconds"))
          .isGreaterThan(progress.get(i - 1).getDouble("elapsedSeconds"));
    }
    assertThat(progress).allSatisfy(p -> {
      assertThat(p.getDouble("estimatedFraction")).isBetween(0.0, 0.99);
      assertThat(p.getLong("archiveBytes")).isNotNegative();
    });
    JsonObject completed = events.events().get(events.events().size() - 1);
    Path archive = Path.of(completed.getJsonArray("items").getString(0));
    assertThat(completed.getLong("archiveBytes")).isEqualTo(Files.size(archive));
    assertThat(completed.getDouble("durationSeconds")).isGreaterThanOrEqualTo(0.5);
  }

  @Test
  void ndjsonCarriesTheSameEventsAsJsonLines() {
    HttpAnswer answer = stream("/checkpoint/default/timed/half", NDJSON);
    assertThat(answer.header("Content-Type")).isEqualTo("application/x-ndjson");
    StreamedEvents events = StreamedEvents.ndjson(answer.body());
    assertThat(events.names()).startsWith("started").endsWith("completed").contains("progress");
    assertThat(events.events()).allSatisfy(e -> assertThat(e.getString("container")).isEqualTo("half"));
    // A single node names no node (a fleet member names itself: FleetProcessTest).
    assertThat(events.events()).allSatisfy(e -> assertThat(e.containsKey("node")).isFalse());
  }

  @Test
  void queuedEventsGivePositionThenHeartbeatsKeepTheStreamAlive() {
    fixture.request(HttpMethod.POST, "/checkpoint/default/timed/blocker?timeout=2", token);
    Await.until("the blocker to run", () -> fixture.runtime.activeCheckpoints() == 1);

    StreamedEvents events = StreamedEvents.sse(stream("/checkpoint/default/timed/light", SSE).body());
    assertThat(events.names()).startsWith("queued", "started").endsWith("completed");
    assertThat(events.events().get(0).getInteger("position")).isEqualTo(1);
    assertThat(events.events().get(0).getLong("bytesAhead")).isEqualTo(1L << 20);
    // Two seconds in the queue at a 100 ms heartbeat.
    assertThat(events.heartbeats()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void everyStreamOpenAtOnceHearsTheHeartbeat() {
    // One timer per event loop beats for all its streams (not one per stream): two waiting
    // together, perhaps on different event loops, each hear it.
    fixture.request(HttpMethod.POST, "/checkpoint/default/timed/blocker?timeout=2", token);
    Await.until("the blocker to run", () -> fixture.runtime.activeCheckpoints() == 1);

    var first = fixture.request(HttpMethod.POST, "/checkpoint/default/timed/light", token, SSE);
    var second = fixture.request(HttpMethod.POST, "/checkpoint/team-a/timed/quick", token, SSE);
    for (HttpAnswer answer : List.of(Await.result(first), Await.result(second))) {
      StreamedEvents events = StreamedEvents.sse(answer.body());
      // The second in line is told its place twice (second, then first).
      assertThat(events.names()).startsWith("queued").contains("started").endsWith("completed");
      assertThat(events.heartbeats()).isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void failuresBeforeTheStreamKeepTheirPlainStatuses() {
    assertPlain(stream("/checkpoint/default/nope/app", SSE), 404, "pod does not exist");
    assertPlain(Await.result(fixture.request(HttpMethod.POST, "/checkpoint/default/demo/app", null,
        SSE)), 401, "Unauthorized");
    assertPlain(Await.result(fixture.request(HttpMethod.POST, "/checkpoint/default/demo/app",
        fixture.token("other", "checkpoint:create:team-a"), SSE)), 403,
        "Forbidden (user=other, verb=create, resource=nodes, subresource(s)=[checkpoint])");
  }

  @Test
  void runtimeFailureAfterStartIsAFailedEventWithThePlainStatusAndText() {
    StreamedEvents events = StreamedEvents.sse(stream("/checkpoint/default/demo/broken", SSE).body());
    assertThat(events.names()).containsExactly("started", "failed");
    JsonObject failed = events.events().get(1);
    assertThat(failed.getInteger("status")).isEqualTo(500);
    assertThat(failed.getString("message")).isEqualTo(
        "checkpointing of default/demo/broken failed (rpc error: code = Unknown desc = CRIU dump failed)");
  }

  @Test
  void podCheckpointSucceedsWithEveryContainersArchive() {
    HttpAnswer answer = fixture.post("/checkpoint/team-a/web", token);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(new JsonObject(answer.body()).getJsonArray("items")).hasSize(1);
  }

  @Test
  void podCheckpointNamesEveryFailureAndKeepsTheArchivesMade() {
    HttpAnswer answer = fixture.post("/checkpoint/default/mixed", token);
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.body()).startsWith("checkpointing of default/mixed failed for 1 container(s): "
        + "broken: checkpointing of default/mixed/broken failed (rpc error: code = Unknown desc = "
        + "CRIU dump failed); archives made: " + fixture.checkpointDir.toAbsolutePath()
        + "/checkpoint-mixed_default-app-");
    assertThat(fixture.archives()).hasSize(1);
    assertThat(fixture.archives().get(0).getFileName().toString()).startsWith("checkpoint-mixed_default-app-");
  }

  @Test
  void podStreamCarriesTheContainerOnEveryEvent() {
    StreamedEvents events = StreamedEvents.sse(stream("/checkpoint/default/mixed", SSE).body());
    assertThat(events.events()).allSatisfy(e -> assertThat(e.getString("container")).isIn("app", "broken"));
    assertThat(events.events()).allSatisfy(e -> assertThat(e.containsKey("node")).isFalse());
    assertThat(events.namesOf("app")).endsWith("completed");
    assertThat(events.namesOf("broken")).endsWith("failed");
    assertThat(events.namesOf("app").stream().filter(n -> n.equals("completed") || n.equals("failed")))
        .hasSize(1);
  }

  @Test
  void unknownPodAndPodWithoutRunningContainersAre404() {
    assertPlain(fixture.post("/checkpoint/default/nope", token), 404, "pod does not exist");
  }

  @Test
  void callerLeavingTheStreamCancelsTheCheckpoint() {
    Future<CheckpointObservation> ended = fixture.runtime.nextCheckpointEnded();
    var client = vertx.createHttpClient();
    // Read in the callback that received the response, on the client's event loop: a handler
    // set later from this thread could miss what arrived before it.
    StringBuffer seen = new StringBuffer();
    Await.result(client.request(new RequestOptions()
            .setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(fixture.gateway.port())
            .setURI("/checkpoint/default/timed/blocker")
            .putHeader("Authorization", "Bearer " + token).putHeader("Accept", "text/event-stream"))
        .compose(request -> request.send().map(response -> response.handler(seen::append))));
    Await.until("the started event", () -> seen.toString().contains("event: started"));
    Await.result(client.close());

    assertThat(Await.result(ended).outcome()).isEqualTo(CheckpointObservation.Outcome.CANCELLED);
    Await.until("the partial archive to go", () -> fixture.archives().isEmpty());
  }
}
