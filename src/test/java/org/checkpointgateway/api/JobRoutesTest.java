package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.sim.CheckpointObservation;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.RawHttp;
import org.checkpointgateway.support.StreamedEvents;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checkpoint jobs under /api/v1/checkpoints, over a real socket. */
class JobRoutesTest extends GatewayTestBase {

  static final String JOBS = "/api/v1/checkpoints";

  String token;

  @BeforeEach
  void start() {
    fixture.startGateway(fixture.settings()
        .override("progressInterval", "100ms", "--progress-interval")
        .override("jobHistoryMax", "3", "--job-history-max")
        .override("shutdownGrace", "0", "--shutdown-grace"));
    token = fixture.adminToken();
  }


  HttpAnswer submit(String json, String token, Map<String, String> headers) {
    return Await.result(fixture.requestJson(HttpMethod.POST, JOBS, token, json, headers));
  }

  HttpAnswer submit(String json) {
    return submit(json, token, Map.of());
  }

  JsonObject waitFor(String id, String state) {
    return new JsonObject(Await.until("job " + id + " to be " + state,
        () -> fixture.request(HttpMethod.GET, JOBS + "/" + id, token),
        answer -> new JsonObject(answer.body()).getString("state").equals(state)).body());
  }

  @Test
  void aJobRunsToCompletionAndReplaysItsEvents() {
    HttpAnswer created = submit("{\"namespace\":\"default\",\"pod\":\"timed\",\"container\":\"half\"}");
    assertThat(created.status()).isEqualTo(202);
    JsonObject job = new JsonObject(created.body());
    String id = job.getString("id");
    assertThat(created.header("Location")).isEqualTo(JOBS + "/" + id);
    assertThat(job.getString("state")).isIn("queued", "running");
    assertThat(job.getLong("timeoutSeconds")).isEqualTo(120);

    JsonObject done = waitFor(id, "succeeded");
    assertThat(done.getJsonArray("items")).hasSize(1);
    assertThat(done.getString("startedAt")).isNotNull();
    assertThat(done.getString("finishedAt")).isNotNull();
    assertThat(Path.of(done.getJsonArray("items").getString(0))).exists();

    HttpAnswer events = fixture.send(HttpMethod.GET, JOBS + "/" + id + "/events", token);
    assertThat(events.header("Content-Type")).startsWith("text/event-stream");
    // A finished job's history: started, its last progress, completed; then the stream ends.
    assertThat(StreamedEvents.sse(events.body()).names()).startsWith("started").endsWith("completed");
    // A single node's job has a bare id and its events name no node.
    assertThat(id).doesNotContain("@");
    assertThat(StreamedEvents.sse(events.body()).events())
        .allSatisfy(event -> assertThat(event.containsKey("node")).isFalse());
  }

  @Test
  void aJobOutlivesItsSubmitterAndCanBeWatchedLiveAndCancelled() {
    var ended = fixture.runtime.nextCheckpointEnded();
    String id = new JsonObject(submit(
        "{\"namespace\":\"default\",\"pod\":\"timed\",\"container\":\"blocker\"}").body()).getString("id");
    Future<HttpAnswer> watching = fixture.request(HttpMethod.GET, JOBS + "/" + id + "/events", token,
        Map.of("Accept", "application/x-ndjson"));
    waitFor(id, "running");
    // Running is told as the call is made; a cancel before it reached the runtime (a connection
    // still being opened, on a loaded machine) leaves the runtime nothing to end.
    Await.until("the runtime to be checkpointing", () -> fixture.runtime.activeCheckpoints() == 1);

    HttpAnswer cancelled = fixture.send(HttpMethod.DELETE, JOBS + "/" + id, token);
    assertThat(cancelled.status()).isEqualTo(202);
    assertThat(Await.result(ended).outcome()).isEqualTo(CheckpointObservation.Outcome.CANCELLED);
    JsonObject job = waitFor(id, "cancelled");
    assertThat(job.getJsonObject("error").getString("message"))
        .isEqualTo("checkpointing of default/timed/blocker failed (rpc error: code = Canceled desc = context canceled)");
    StreamedEvents events = StreamedEvents.ndjson(Await.result(watching).body());
    assertThat(events.names()).startsWith("started").endsWith("failed");
    assertThat(fixture.archives()).isEmpty();

    HttpAnswer again = fixture.send(HttpMethod.DELETE, JOBS + "/" + id, token);
    assertThat(again.status()).isEqualTo(409);
    assertThat(new JsonObject(again.body()).getString("reason")).isEqualTo("Conflict");
  }

  @Test
  void idempotencyKeyReturnsTheSameJob() {
    Map<String, String> key = Map.of("Idempotency-Key", "nightly-2026-11-27");
    String body = "{\"namespace\":\"team-a\",\"pod\":\"web\"}";
    HttpAnswer first = submit(body, token, key);
    HttpAnswer second = submit(body, token, key);
    assertThat(first.status()).isEqualTo(202);
    assertThat(second.status()).isEqualTo(200);
    assertThat(new JsonObject(second.body()).getString("id"))
        .isEqualTo(new JsonObject(first.body()).getString("id"));

    HttpAnswer conflict = submit("{\"namespace\":\"team-a\",\"pod\":\"timed\"}", token, key);
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(new JsonObject(conflict.body()).getString("message")).contains("nightly-2026-11-27");
    // Another caller's key space is its own.
    assertThat(submit(body, fixture.token("other", "checkpoint:*"), key).status()).isEqualTo(202);
  }

  @Test
  void aPodJobCheckpointsEveryContainer() {
    String id = new JsonObject(submit("{\"namespace\":\"default\",\"pod\":\"mixed\"}").body())
        .getString("id");
    JsonObject job = waitFor(id, "failed");
    assertThat(job.containsKey("container")).isFalse();
    assertThat(job.getJsonArray("items")).hasSize(1);
    assertThat(job.getJsonObject("error").getInteger("status")).isEqualTo(500);
    assertThat(job.getJsonObject("error").getString("message")).contains("broken: ");
  }

  @Test
  void tokensSeeOnlyJobsOfNamespacesTheyMayCheckpoint() {
    String mine = new JsonObject(submit("{\"namespace\":\"team-a\",\"pod\":\"web\"}").body()).getString("id");
    String theirs = new JsonObject(submit("{\"namespace\":\"default\",\"pod\":\"timed\",\"container\":\"light\"}")
        .body()).getString("id");
    String teamA = fixture.token("team-a-robot", "checkpoint:create:team-a");

    HttpAnswer list = fixture.send(HttpMethod.GET, JOBS, teamA);
    assertThat(new JsonObject(list.body()).getJsonArray("items").stream()
        .map(j -> ((JsonObject) j).getString("id"))).containsExactly(mine);
    HttpAnswer hidden = fixture.send(HttpMethod.GET, JOBS + "/" + theirs, teamA);
    assertThat(hidden.status()).isEqualTo(404);
    assertThat(new JsonObject(hidden.body()).getMap()).containsOnlyKeys("status", "reason", "message");
    assertThat(fixture.send(HttpMethod.DELETE, JOBS + "/" + theirs, teamA).status()).isEqualTo(404);
    assertThat(fixture.send(HttpMethod.GET, JOBS + "?namespace=default", token).body())
        .contains(theirs).doesNotContain(mine);

    HttpAnswer forbidden = submit("{\"namespace\":\"default\",\"pod\":\"demo\"}", teamA, Map.of());
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.header("Content-Type")).isEqualTo("application/json");
  }

  @Test
  void historyIsBoundedByCount() {
    String first = new JsonObject(submit("{\"namespace\":\"team-a\",\"pod\":\"web\"}").body()).getString("id");
    waitFor(first, "succeeded");
    for (int i = 0; i < 3; i++) {
      waitFor(new JsonObject(submit("{\"namespace\":\"team-a\",\"pod\":\"web\"}").body()).getString("id"),
          "succeeded");
    }
    // Three are remembered; the oldest finished one was forgotten when the fourth came.
    assertThat(fixture.send(HttpMethod.GET, JOBS + "/" + first, token).status()).isEqualTo(404);
    assertThat(new JsonObject(fixture.send(HttpMethod.GET, JOBS, token).body())
        .getJsonArray("items")).hasSize(3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "[]", "{}", "{\"namespace\":\"default\"}",
      "{\"namespace\":\"default\",\"pod\":\"\"}", "{\"namespace\":\"default\",\"pod\":\"demo\",\"extra\":1}",
      "{\"namespace\":\"default\",\"pod\":\"demo\",\"timeoutSeconds\":-1}",
      "{\"namespace\":\"default\",\"pod\":\"demo\",\"timeoutSeconds\":1.5}",
      "{\"namespace\":\"default\",\"pod\":\"demo\",\"container\":7}"})
  void badBodiesAre400InTheSharedShape(String body) {
    HttpAnswer answer = submit(body);
    assertThat(answer.status()).isEqualTo(400);
    JsonObject error = new JsonObject(answer.body());
    assertThat(error.getInteger("status")).isEqualTo(400);
    assertThat(error.getString("reason")).isEqualTo("BadRequest");
    assertThat(error.getString("message")).isNotBlank();
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void badJsonSaysWhatIsWrongInTheCallersTerms() {
    Map<String, String> messages = new java.util.LinkedHashMap<>();
    messages.put("{\"namespace\":", "the body is not valid JSON (line 1, column 14): "
        + "unexpected end-of-input within/between Object entries");
    messages.put("{\"namespace\" \"default\"}", "the body is not valid JSON (line 1, column 14): "
        + "unexpected character '\"': was expecting a colon to separate field name and value");
    messages.put("{'namespace':'default'}", "the body is not valid JSON (line 1, column 2): "
        + "unexpected character ''': was expecting double-quote to start field name");
    messages.put("{\"pod\":\"demo\"}}", "the body is not valid JSON (line 1, column 15): "
        + "unexpected close marker '}': expected ']'");
    messages.put("[1]", "the body must be a JSON object with namespace and pod; it is an array");
    messages.put("7", "the body must be a JSON object with namespace and pod; it is a number");
    messages.put("", "the body must be a JSON object with namespace and pod; it is empty");
    messages.forEach((body, message) -> {
      HttpAnswer answer = submit(body);
      assertThat(answer.status()).as(body).isEqualTo(400);
      // Not the parser's internals: no character codes, source notes or Java class names.
      assertThat(new JsonObject(answer.body()).getString("message")).as(body).isEqualTo(message);
    });
  }

  @Test
  void unknownPodsAndJobsAre404InTheSharedShape() {
    HttpAnswer pod = submit("{\"namespace\":\"default\",\"pod\":\"nope\",\"container\":\"app\"}");
    assertThat(pod.status()).isEqualTo(404);
    assertThat(new JsonObject(pod.body()).getString("message")).isEqualTo("pod does not exist");
    // The kubelet's 500 for a container that does not run stays on its route.
    HttpAnswer exited = submit("{\"namespace\":\"default\",\"pod\":\"demo\",\"container\":\"done\"}");
    assertThat(exited.status()).isEqualTo(404);
    assertThat(new JsonObject(exited.body()).getString("message"))
        .isEqualTo("container done is not running");
    HttpAnswer job = fixture.send(HttpMethod.GET, JOBS + "/no-such-job", token);
    assertThat(new JsonObject(job.body()).getInteger("status")).isEqualTo(404);
    assertThat(fixture.send(HttpMethod.GET, JOBS, null).status()).isEqualTo(401);
  }

  /**
   * A form with a file part is refused before its body is read: vertx-web wrote each file part
   * to ./file-uploads (kept after the request) and made that directory on the event loop.
   */
  @Test
  void aMultipartFormIs415AndNoFileIsWritten() throws java.io.IOException {
    Path uploads = Path.of("file-uploads").toAbsolutePath();
    long before = java.nio.file.Files.isDirectory(uploads)
        ? java.nio.file.Files.list(uploads).count() : 0;
    String body = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n" + "x".repeat(1000) + "\r\n--b--\r\n";
    String answer = RawHttp.exchange(fixture.gateway.port(), "POST " + JOBS + " HTTP/1.1\r\n"
        + "Host: x\r\nAuthorization: Bearer " + fixture.token("nobody") + "\r\n"
        + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + body.length()
        + "\r\nConnection: close\r\n\r\n" + body);
    assertThat(answer).startsWith("HTTP/1.1 415 ");
    JsonObject error = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertThat(error.getString("reason")).isEqualTo("UnsupportedMediaType");
    assertThat(error.getString("message")).isEqualTo(
        "a job request is a JSON object (Content-Type: application/json), not a multipart form");
    long after = java.nio.file.Files.isDirectory(uploads)
        ? java.nio.file.Files.list(uploads).count() : 0;
    assertThat(after).isEqualTo(before);
  }

  /** What curl -d sends without -H (a form's type over a JSON body) is still read as JSON. */
  @Test
  void aJsonBodySentAsAUrlEncodedFormIsStillAJob() {
    HttpAnswer answer = submit("{\"namespace\":\"default\",\"pod\":\"demo\",\"container\":\"app\"}",
        token, Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertThat(answer.status()).isEqualTo(202);
  }

  /**
   * Tokens without sub are one caller to the key store, named unknown: a key would answer with
   * another's job. (A token whose sub is unknown is that caller too; the one made here is.)
   */
  @Test
  void anIdempotencyKeyFromATokenWithoutSubIs400() {
    HttpAnswer answer = submit("{\"namespace\":\"default\",\"pod\":\"demo\",\"container\":\"app\"}",
        fixture.token(Caller.UNKNOWN_SUBJECT, "checkpoint:*"), Map.of("Idempotency-Key", "k1"));
    assertThat(answer.status()).isEqualTo(400);
    assertThat(new JsonObject(answer.body()).getString("message"))
        .isEqualTo("an Idempotency-Key needs a caller with a name: the token has no sub claim");
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }
}
