package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.checkpointgateway.config.Settings;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.MainProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime as a process of its own, frozen, killed and restarted, its socket removed: what
 * callers are answered, what readiness says, that the gateway recovers when the fault ends, and
 * that no partial archive stays behind.
 */
class RuntimeFaultTest extends GatewayTestBase {

  static final String SEED = """
      pagesCapBytes: 65536
      pods:
        - namespace: default
          name: demo
          containers:
            - name: app
              memoryBytes: 8388608
            - name: sidecar
              memoryBytes: 1048576
            - name: steady
              memoryBytes: 1048576
              checkpointSeconds: 3
            - name: slow
              memoryBytes: 1048576
              checkpointSeconds: 60
      """;

  MainProcess runtime;
  String token;
  final List<String> severe = new CopyOnWriteArrayList<>();
  final Handler severeLog = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
        severe.add(record.getLoggerName() + ": " + record.getMessage()
            + (record.getThrown() != null ? " " + record.getThrown() : ""));
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @Override
  protected boolean runtimeAtStart() {
    return false;
  }

  @BeforeEach
  void startRuntimeAndGateway() {
    runtime = MainProcess.runtime(fixture.socket, SEED, dir);
    Logger.getLogger("").addHandler(severeLog);
  }

  @AfterEach
  void stopRuntime() {
    Logger.getLogger("").removeHandler(severeLog);
    if (runtime != null) {
      runtime.close();
    }
  }

  void startGateway(Settings extra) {
    fixture.startGateway(extra);
    token = fixture.adminToken();
    assertThat(fixture.post("/checkpoint/default/demo/app", token).status()).isEqualTo(200);
  }

  Settings settings() {
    return fixture.settings().override("shutdownGrace", "0", "--shutdown-grace");
  }

  @Test
  void aFrozenRuntimeShowsInReadinessAtOnceAndEveryRequestKeepsItsOwnDeadline() {
    startGateway(settings());
    Future<HttpAnswer> inFlight = post("/checkpoint/default/demo/steady?timeout=60");
    Await.until("the steady checkpoint to reach the runtime", () -> fixture.archives().size() == 2);

    runtime.freeze();
    long frozen = System.nanoTime();
    // Longer than the 10 s that lookups were once capped at, whatever the request asked for.
    Future<HttpAnswer> patient = post("/checkpoint/default/demo/app?timeout=20");
    Future<HttpAnswer> hurried = post("/checkpoint/default/demo/sidecar?timeout=2");

    Await.until("readiness to turn 503", () -> readiness().status() == 503);
    // A probe's 1 s deadline and its interval, with slack for a loaded 2-core machine.
    assertThat(seconds(frozen)).as("seconds until /readyz said so").isLessThan(6);
    assertThat(new JsonObject(readiness().body()).getString("reason"))
        .contains("does not answer", "DeadlineExceeded", "no answer to Version within 1000 ms");

    HttpAnswer tooLate = Await.result(hurried);
    // Its own 2 s, well before the 20 s of the patient one.
    assertThat(seconds(frozen)).as("seconds until the timeout=2 request failed").isLessThan(10);
    assertThat(tooLate.status()).isEqualTo(500);
    assertThat(tooLate.body()).isEqualTo("checkpointing of default/demo/sidecar failed (rpc error: "
        + "code = DeadlineExceeded desc = context deadline exceeded)");

    Await.until("11 s of the freeze to pass", () -> seconds(frozen) > 11);
    assertThat(patient.isComplete()).as("the timeout=20 request still waits").isFalse();
    runtime.thaw();

    // Both the patient request and the checkpoint under way when the runtime froze go on.
    assertThat(Await.result(patient).status()).isEqualTo(200);
    HttpAnswer steady = Await.result(inFlight);
    assertThat(steady.status()).as(steady.body()).isEqualTo(200);
    Await.until("readiness to return", () -> readiness().status() == 200);
    assertThat(fixture.post("/checkpoint/default/demo/sidecar", token).status()).isEqualTo(200);
    // Neither "Result is already complete" nor a connection broken by one reset stream.
    assertThat(severe).isEmpty();
    assertOnlyArchivesOf("app", "steady", "app", "sidecar");
  }

  @Test
  void aRemovedSocketIsNoticedByReadinessAndByEveryRequestAlike() {
    startGateway(settings());
    // Connections from both event loops, so that some would still work without the socket.
    List<Future<HttpAnswer>> warm = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      warm.add(post("/checkpoint/default/demo/sidecar"));
    }
    warm.forEach(answer -> assertThat(Await.result(answer).status()).isEqualTo(200));

    assertThat(fixture.socket.toFile().delete()).as("the socket file removed").isTrue();
    String gone = "dial unix " + fixture.socket + ": connect: no such file or directory";
    Await.until("readiness to see the socket gone", () -> readiness().status() == 503);
    assertThat(new JsonObject(readiness().body()).getString("reason")).contains(gone);

    List<Future<HttpAnswer>> refused = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      refused.add(post("/checkpoint/default/demo/app"));
    }
    for (Future<HttpAnswer> answer : refused) {
      HttpAnswer answered = Await.result(answer);
      assertThat(answered.status()).isEqualTo(500);
      assertThat(answered.body()).isEqualTo("checkpointing of default/demo/app failed (rpc error: "
          + "code = Unavailable desc = connection error: desc = \"transport: Error while dialing: "
          + gone + "\")");
    }

    runtime.restart();
    Await.until("readiness to see the runtime back", () -> readiness().status() == 200);
    assertThat(fixture.post("/checkpoint/default/demo/app", token).status()).isEqualTo(200);
    assertOnlyArchivesOf("app", "sidecar", "sidecar", "sidecar", "sidecar", "sidecar", "sidecar",
        "sidecar", "sidecar", "app");
  }

  @Test
  void queuedRequestsWaitForARestartedRuntimeWhileNewOnesAreRefusedAtOnce() {
    startGateway(settings().override("maxConcurrent", "1", "--max-concurrent"));
    Future<HttpAnswer> running = post("/checkpoint/default/demo/slow?timeout=60");
    Await.until("the slow checkpoint to run", () -> fixture.metric("checkpoint.running") == 1);
    List<Future<HttpAnswer>> queued = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      queued.add(post("/checkpoint/default/demo/" + (i % 2 == 0 ? "app" : "sidecar") + "?timeout=60"));
    }
    Await.until("30 to queue", () -> fixture.metric("checkpoint.queue.depth") == 30);

    runtime.kill();
    // The checkpoint the runtime was writing when it died fails, its partial archive removed.
    HttpAnswer killed = Await.result(running);
    assertThat(killed.status()).isEqualTo(500);
    assertThat(killed.body()).startsWith("checkpointing of default/demo/slow failed (rpc error: "
        + "code = Unavailable desc = ");
    String refused = "dial unix " + fixture.socket + ": connect: connection refused";
    // Readiness first says the connection broke, then what the next probe found at the socket.
    Await.until("readiness to see nobody at the socket", () -> {
      HttpAnswer ready = readiness();
      return ready.status() == 503
          && new JsonObject(ready.body()).getString("reason").contains(refused);
    });

    // A request that arrives now is answered at once, as the kubelet's would be.
    long asked = System.nanoTime();
    HttpAnswer arriving = fixture.post("/checkpoint/default/demo/app", token);
    // Not after a deadline (the default is 120 s); seconds of slack for a loaded machine.
    assertThat(seconds(asked)).isLessThan(5);
    assertThat(arriving.status()).isEqualTo(500);
    assertThat(arriving.body()).isEqualTo("checkpointing of default/demo/app failed (rpc error: "
        + "code = Unavailable desc = connection error: desc = \"transport: Error while dialing: "
        + refused + "\")");
    // Those accepted before still wait, within their deadlines.
    assertThat(queued).noneMatch(Future::isComplete);

    runtime.restart();
    for (Future<HttpAnswer> answer : queued) {
      HttpAnswer answered = Await.result(answer);
      assertThat(answered.status()).as(answered.body()).isEqualTo(200);
    }
    assertThat(readiness().status()).isEqualTo(200);
    List<String> expected = new ArrayList<>(List.of("app"));
    for (int i = 0; i < 30; i++) {
      expected.add(i % 2 == 0 ? "app" : "sidecar");
    }
    assertOnlyArchivesOf(expected.toArray(String[]::new));
  }

  @Test
  void anAcceptedRequestWhoseDeadlinePassesWhileTheRuntimeIsAwaySaysWhy() {
    startGateway(settings().override("maxConcurrent", "1", "--max-concurrent"));
    Future<HttpAnswer> running = post("/checkpoint/default/demo/slow?timeout=60");
    Await.until("the slow checkpoint to run", () -> fixture.metric("checkpoint.running") == 1);
    Future<HttpAnswer> waiting = post("/checkpoint/default/demo/app?timeout=4");
    Await.until("the app checkpoint to queue", () -> fixture.metric("checkpoint.queue.depth") == 1);

    runtime.kill();
    assertThat(Await.result(running).status()).isEqualTo(500);
    HttpAnswer expired = Await.result(waiting);
    assertThat(expired.status()).isEqualTo(500);
    assertThat(expired.body()).isEqualTo("checkpointing of default/demo/app failed (rpc error: "
        + "code = DeadlineExceeded desc = context deadline exceeded while waiting for the runtime "
        + "to return (connection error: desc = \"transport: Error while dialing: dial unix "
        + fixture.socket + ": connect: connection refused\"))");

    runtime.restart();
    Await.until("readiness to see it back", () -> readiness().status() == 200);
    assertThat(fixture.post("/checkpoint/default/demo/app", token).status()).isEqualTo(200);
    assertOnlyArchivesOf("app", "app");
  }

  @Test
  void aJobsDeadlineStartsWhenItsSubmissionArrivesAsTheKubeletRoutesDoes() {
    startGateway(settings());
    runtime.freeze();
    long arrived = System.nanoTime();
    Instant arrivedAt = Instant.now();
    Future<HttpAnswer> submitted = fixture.requestJson(HttpMethod.POST, "/api/v1/checkpoints",
        token, "{\"namespace\":\"default\",\"pod\":\"demo\",\"container\":\"slow\","
            + "\"timeoutSeconds\":8}", Map.of());
    // Its lookup (the slow container's weight) waits for the frozen runtime: 5 s of its 8 pass.
    Await.until("5 s of the freeze to pass", () -> seconds(arrived) > 5);
    assertThat(submitted.isComplete()).as("the lookup still waits").isFalse();
    runtime.thaw();
    HttpAnswer created = Await.result(submitted);
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = new JsonObject(created.body()).getString("id");

    JsonObject failed = new JsonObject(Await.until("the job to fail",
        () -> fixture.request(HttpMethod.GET, "/api/v1/checkpoints/" + id, token),
        answer -> new JsonObject(answer.body()).getString("state").equals("failed")).body());
    assertThat(failed.getJsonObject("error").getString("message")).isEqualTo("checkpointing of "
        + "default/demo/slow failed (rpc error: code = DeadlineExceeded desc = context deadline "
        + "exceeded)");
    // 8 s from the submission's arrival, lookup included, as the kubelet route counts; not 8 s
    // from the job's start after the lookup (13 s).
    Duration took = Duration.between(arrivedAt, Instant.parse(failed.getString("finishedAt")));
    assertThat(took).isBetween(Duration.ofMillis(7500), Duration.ofMillis(11_000));
  }

  Future<HttpAnswer> post(String uri) {
    return fixture.request(HttpMethod.POST, uri, token);
  }

  HttpAnswer readiness() {
    return fixture.send(HttpMethod.GET, "/readyz", null);
  }

  static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** The checkpoint directory holds exactly archives of these containers: nothing partial. */
  void assertOnlyArchivesOf(String... containers) {
    Await.until("only whole archives to remain", () -> fixture.archives().size() == containers.length);
    assertThat(fixture.archives()).extracting(archive -> archive.getFileName().toString()
            .replaceFirst("^checkpoint-demo_default-(\\w+)-.*\\.tar$", "$1"))
        .containsExactlyInAnyOrder(containers);
  }
}
