package org.checkpointgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.auth.TokenIssuer;
import org.checkpointgateway.support.ArchiveFixtures;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.MainProcess;
import org.checkpointgateway.support.StreamedEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three gateways as separate processes on loopback (one fleet, formed once for every method),
 * each with its own simulated runtime and pod {@code ns-nI/pod-nI}: jobs and archives of any
 * member through any member, the same permission checks wherever a request enters, a name two
 * members hold, and a killed member's unfinished job.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetViewsProcessTest {

  private static final String SEED = """
      bandwidthBytesPerSecond: 1073741824
      pods:
        - namespace: ns-%1$s
          name: pod-%1$s
          containers:
            - name: app
              memoryBytes: 1048576
            - name: slow
              memoryBytes: 1048576
              checkpointSeconds: 120
      """;
  /** One archive name on n1 and n3 (copies of one container's checkpoint, say). */
  private static final String SHARED = "checkpoint-db_shared-pg-2026-03-02T10:30:00Z.tar";
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  static Path dir;
  private final List<MainProcess> members = new ArrayList<>();
  private Vertx vertx;
  private String admin;
  /** May checkpoint and see jobs of another namespace only. */
  private String stranger;
  /** May read archives of every namespace, not download them. */
  private String reader;

  @BeforeAll
  void formFleet() throws Exception {
    vertx = Vertx.vertx();
    String secret = TokenIssuer.randomSecret();
    Path secretFile = Files.writeString(dir.resolve("secret"), secret);
    TokenIssuer issuer = TokenIssuer.hs256(vertx, secret);
    admin = issuer.issue("admin", List.of("*"), Duration.ofHours(1), Optional.empty(),
        Optional.empty());
    stranger = issuer.issue("stranger", List.of("checkpoint:create:elsewhere",
        "archives:*:elsewhere"), Duration.ofHours(1), Optional.empty(), Optional.empty());
    reader = issuer.issue("reader", List.of("archives:read:*"), Duration.ofHours(1),
        Optional.empty(), Optional.empty());
    members.addAll(FleetOfThree.start(dir, "fleet-views-" + ProcessHandle.current().pid(),
        secretFile, node -> {
          Path checkpoints = Files.createDirectories(dir.resolve(node));
          if (!node.equals("n2")) {
            ArchiveFixtures.crio(checkpoints.resolve(SHARED), "shared", "db", "pg",
                Instant.parse("2026-03-02T10:30:00Z"));
          }
          return List.of("--simulator-pods", Files.writeString(dir.resolve(node + ".yaml"),
              SEED.formatted(node)).toString(), "--checkpoint-dir", checkpoints.toString());
        }));
  }

  @AfterAll
  void stop() {
    members.forEach(MainProcess::close);
    if (vertx != null) {
      vertx.close();
    }
  }

  @Test
  @Order(1)
  void aJobMadeThroughOneMemberIsReadListedAndCancelledThroughAnother() throws Exception {
    MainProcess n1 = members.get(0);
    MainProcess n3 = members.get(2);
    HttpResponse<String> made = send(n1, "POST", "/api/v1/checkpoints", admin,
        "{\"namespace\":\"ns-n2\",\"pod\":\"pod-n2\",\"container\":\"slow\"}");
    assertThat(made.statusCode()).as(made.body()).isEqualTo(202);
    JsonObject job = new JsonObject(made.body());
    String id = job.getString("id");
    // The member that runs the pod runs the job; its id says so, unique across the fleet.
    assertThat(id).endsWith("@n2");
    assertThat(job.getString("node")).isEqualTo("n2");
    assertThat(made.headers().firstValue("Location")).hasValue("/api/v1/checkpoints/" + id);

    HttpResponse<String> read = send(n3, "GET", "/api/v1/checkpoints/" + id, admin, null);
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertThat(new JsonObject(read.body()).getString("state")).isIn("queued", "running");
    // The same permission checks wherever the request enters: another tenant sees nothing.
    assertThat(send(n3, "GET", "/api/v1/checkpoints/" + id, stranger, null).statusCode())
        .isEqualTo(404);
    assertThat(send(n3, "DELETE", "/api/v1/checkpoints/" + id, stranger, null).statusCode())
        .isEqualTo(404);
    assertThat(ids(send(n1, "GET", "/api/v1/checkpoints", stranger, null))).doesNotContain(id);

    // Listed by every member, with its node.
    for (MainProcess member : members) {
      HttpResponse<String> list = send(member, "GET", "/api/v1/checkpoints", admin, null);
      assertThat(ids(list)).as(member.name()).contains(id);
      assertThat(new JsonObject(list.body()).getJsonArray("items").stream()
          .map(JsonObject.class::cast).filter(item -> item.getString("id").equals(id))
          .findFirst().orElseThrow().getString("node")).isEqualTo("n2");
    }

    // Watched through another member: the owner's events, live, to the end.
    java.util.concurrent.CompletableFuture<HttpResponse<String>> watching = HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(n1.url() + "/api/v1/checkpoints/" + id
                + "/events"))
            .header("Authorization", "Bearer " + admin).header("Accept", "application/x-ndjson")
            .timeout(Duration.ofSeconds(60)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    Await.until("the job running", Duration.ofSeconds(20), Duration.ofMillis(100),
        () -> new JsonObject(send(n3, "GET", "/api/v1/checkpoints/" + id, admin, null).body())
            .getString("state").equals("running"));
    HttpResponse<String> cancelled = send(n3, "DELETE", "/api/v1/checkpoints/" + id, admin, null);
    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(202);
    Await.until("the job cancelled, as n1 reads it", Duration.ofSeconds(20),
        Duration.ofMillis(100), () -> new JsonObject(send(n1, "GET", "/api/v1/checkpoints/" + id,
            admin, null).body()).getString("state").equals("cancelled"));
    HttpResponse<String> events = watching.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS)
        .join();
    assertThat(events.statusCode()).as(events.body()).isEqualTo(200);
    assertThat(StreamedEvents.ndjson(events.body()).names()).startsWith("started")
        .endsWith("failed");
    // Relayed, they name the member that runs the job; so does that member's own stream.
    assertThat(StreamedEvents.ndjson(events.body()).events()).allSatisfy(event ->
        assertThat(event.getString("node")).as(event.encode()).isEqualTo("n2"));
    HttpResponse<String> own = HTTP.send(HttpRequest.newBuilder(URI.create(
            members.get(1).url() + "/api/v1/checkpoints/" + id + "/events"))
        .header("Authorization", "Bearer " + admin).header("Accept", "text/event-stream")
        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
    StreamedEvents replayed = StreamedEvents.sse(own.body());
    assertThat(replayed.names()).as(own.body()).startsWith("started").endsWith("failed");
    assertThat(replayed.events()).allSatisfy(event ->
        assertThat(event.getString("node")).as(event.encode()).isEqualTo("n2"));
    // Another tenant watches nothing there either.
    assertThat(send(n1, "GET", "/api/v1/checkpoints/" + id + "/events", stranger,
        null).statusCode()).isEqualTo(404);
    // A job of a pod no member runs: the single node's answer.
    HttpResponse<String> nowhere = send(n1, "POST", "/api/v1/checkpoints", admin,
        "{\"namespace\":\"ns-n9\",\"pod\":\"pod-n9\"}");
    assertThat(nowhere.statusCode()).as(nowhere.body()).isEqualTo(404);
  }

  @Test
  @Order(2)
  void anotherMembersArchiveIsListedDownloadedInspectedPinnedAndDeletedThroughAny() {
    MainProcess n1 = members.get(0);
    MainProcess n2 = members.get(1);
    MainProcess n3 = members.get(2);
    HttpResponse<String> made = send(n2, "POST", "/checkpoint/ns-n2/pod-n2/app", admin, null);
    assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
    String path = new JsonObject(made.body()).getJsonArray("items").getString(0);
    String name = Path.of(path).getFileName().toString();

    JsonObject listed = new JsonObject(send(n1, "GET", "/api/v1/archives", admin, null).body());
    List<JsonObject> items = listed.getJsonArray("items").stream().map(JsonObject.class::cast)
        .toList();
    assertThat(items).filteredOn(item -> item.getString("name").equals(name))
        .singleElement().satisfies(item -> assertThat(item.getString("node")).isEqualTo("n2"));
    assertThat(items).filteredOn(item -> item.getString("name").equals(SHARED))
        .extracting(item -> item.getString("node")).containsExactlyInAnyOrder("n1", "n3");

    HttpResponse<byte[]> own = bytes(n2, name, admin, null, null);
    assertThat(own.statusCode()).isEqualTo(200);
    HttpResponse<byte[]> whole = bytes(n3, name, admin, null, null);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(own.body());
    String etag = whole.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).isEqualTo(own.headers().firstValue("ETag").orElseThrow());
    assertThat(whole.headers().firstValue("Content-Length"))
        .hasValue(Integer.toString(own.body().length));

    HttpResponse<byte[]> part = bytes(n1, name, admin, "bytes=100-1123", null);
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.headers().firstValue("Content-Range"))
        .hasValue("bytes 100-1123/" + own.body().length);
    assertThat(part.body()).isEqualTo(Arrays.copyOfRange(own.body(), 100, 1124));
    assertThat(bytes(n1, name, admin, null, etag).statusCode()).isEqualTo(304);
    // The holder's own 403: a reader may see the archive, not download it.
    assertThat(bytes(n1, name, reader, null, null).statusCode()).isEqualTo(403);
    // Another tenant: it does not exist, wherever asked.
    assertThat(bytes(n1, name, stranger, null, null).statusCode()).isEqualTo(404);
    assertThat(send(n3, "GET", "/api/v1/archives/" + name + "/inspect", stranger, null)
        .statusCode()).isEqualTo(404);

    HttpResponse<String> inspected = send(n3, "GET", "/api/v1/archives/" + name + "/inspect",
        admin, null);
    assertThat(inspected.statusCode()).as(inspected.body()).isEqualTo(200);
    assertThat(new JsonObject(inspected.body()).getString("pod")).isEqualTo("pod-n2");

    HttpResponse<String> pinned = send(n1, "PUT", "/api/v1/archives/" + name + "/pin", admin, "");
    assertThat(pinned.statusCode()).as(pinned.body()).isEqualTo(200);
    assertThat(new JsonObject(pinned.body()).getBoolean("pinned")).isTrue();
    HttpResponse<String> refused = send(n3, "DELETE", "/api/v1/archives/" + name, admin, null);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
    assertThat(send(n3, "DELETE", "/api/v1/archives/" + name + "/pin", admin, null).statusCode())
        .isEqualTo(200);
    HttpResponse<String> deleted = send(n3, "DELETE", "/api/v1/archives/" + name, admin, null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    assertThat(send(n2, "GET", "/api/v1/archives/" + name + "/inspect", admin, null)
        .statusCode()).isEqualTo(404);
  }

  @Test
  @Order(3)
  void aNameTwoMembersHoldIsAConflictNamingThemUntilNodeChooses() {
    MainProcess n2 = members.get(1);
    HttpResponse<String> which = send(n2, "GET", "/api/v1/archives/" + SHARED + "/inspect",
        admin, null);
    assertThat(which.statusCode()).as(which.body()).isEqualTo(409);
    assertThat(new JsonObject(which.body()).getString("message")).contains("n1", "n3", "?node=");
    assertThat(bytes(n2, SHARED, admin, null, null).statusCode()).isEqualTo(409);
    // The holder itself is asked too: it holds one copy, the other member the other.
    assertThat(send(members.get(0), "GET", "/api/v1/archives/" + SHARED + "/inspect", admin,
        null).statusCode()).isEqualTo(409);

    HttpResponse<String> chosen = send(n2, "GET", "/api/v1/archives/" + SHARED
        + "/inspect?node=n3", admin, null);
    assertThat(chosen.statusCode()).as(chosen.body()).isEqualTo(200);
    assertThat(new JsonObject(chosen.body()).getString("namespace")).isEqualTo("shared");
    HttpResponse<byte[]> download = bytes(n2, SHARED + "?node=n1", admin, null, null);
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(readBytes(dir.resolve("n1").resolve(SHARED)));
    assertThat(send(n2, "GET", "/api/v1/archives/" + SHARED + "/inspect?node=n7", admin, null)
        .statusCode()).isEqualTo(404);
  }

  @Test
  @Order(4)
  void theCliListsAndDownloadsEveryMembersArchivesThroughAny() throws IOException {
    MainProcess n2 = members.get(1);
    Path token = Files.writeString(dir.resolve("admin.token"), admin);
    String[] ls = cli(n2, token, "archives", "ls");
    assertThat(ls[0]).as(ls[2]).isEqualTo("0");
    assertThat(ls[1].lines().findFirst().orElseThrow()).startsWith("NODE");
    assertThat(ls[1].lines().filter(line -> line.contains(SHARED)).map(line -> line.split(" ")[0]))
        .containsExactlyInAnyOrder("n1", "n3");

    Path ambiguous = dir.resolve("ambiguous.tar");
    String[] refused = cli(n2, token, "archives", "get", SHARED, "-O", ambiguous.toString());
    assertThat(refused[0]).isNotEqualTo("0");
    assertThat(refused[2]).contains("n1, n3");
    Path saved = dir.resolve("from-n3.tar");
    String[] got = cli(n2, token, "archives", "get", "--node", "n3", SHARED, "-O",
        saved.toString());
    assertThat(got[0]).as(got[2]).isEqualTo("0");
    assertThat(Files.readAllBytes(saved)).isEqualTo(readBytes(dir.resolve("n3").resolve(SHARED)));
  }

  @Test
  @Order(5)
  void theJobsCliWorksThroughAnyMember() throws IOException {
    MainProcess n1 = members.get(0);
    MainProcess n3 = members.get(2);
    Path token = Files.writeString(dir.resolve("admin-jobs.token"), admin);
    String[] made = cli(n1, token, "jobs", "create", "ns-n2/pod-n2/slow");
    assertThat(made[0]).as(made[2]).isEqualTo("0");
    String id = made[1].strip();
    assertThat(id).endsWith("@n2");

    String[] ls = cli(n3, token, "jobs", "ls");
    assertThat(ls[0]).as(ls[2]).isEqualTo("0");
    assertThat(ls[1].lines().findFirst().orElseThrow()).startsWith("ID").contains("NODE");
    assertThat(ls[1].lines().filter(line -> line.startsWith(id + " ")))
        .singleElement().asString().contains(" n2 ", " ns-n2/pod-n2/slow ");
    Await.until("the job running, as the CLI shows it through n3", Duration.ofSeconds(20),
        Duration.ofMillis(100), () -> cli(n3, token, "jobs", "show", id)[1]
            .contains("State     running"));
    assertThat(cli(n3, token, "jobs", "show", id)[1]).contains("Node      n2");

    java.util.concurrent.CompletableFuture<String[]> watching =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> cli(n3, token, "jobs", "watch",
            id, "--progress", "plain"));
    String[] cancelled = cli(n1, token, "jobs", "cancel", id);
    assertThat(cancelled[0]).as(cancelled[2]).isEqualTo("0");
    String[] watched = watching.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
    assertThat(watched[0]).as(watched[2]).isEqualTo("1");
    assertThat(watched[2]).contains("slow: started", "slow: failed: ");
    // A job no member has: the same one line wherever asked.
    String[] missing = cli(n1, token, "jobs", "show", "0b6d2a63-8f0e-4a57-9d4e-3c7e1b0d9a11@n3");
    assertThat(missing[0]).isEqualTo("1");
    assertThat(missing[2]).startsWith("jobs show: ").endsWith("(HTTP 404)\n")
        .doesNotContain("Exception");
  }

  /** The command line against {@code member}: exit code, output, errors. */
  private static String[] cli(MainProcess member, Path token, String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine line = org.checkpointgateway.MainAccess.commandLine();
    line.setOut(new java.io.PrintWriter(out, true));
    line.setErr(new java.io.PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--server=" + member.url());
    all.add("--token-file=" + token);
    int code = line.execute(all.toArray(String[]::new));
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  @Order(6)
  void aKilledMembersUnfinishedJobIsMarkedFailedNamingIt() {
    MainProcess n1 = members.get(0);
    MainProcess n3 = members.get(2);
    HttpResponse<String> made = send(n1, "POST", "/api/v1/checkpoints", admin,
        "{\"namespace\":\"ns-n3\",\"pod\":\"pod-n3\",\"container\":\"slow\"}");
    assertThat(made.statusCode()).as(made.body()).isEqualTo(202);
    String id = new JsonObject(made.body()).getString("id");
    assertThat(id).endsWith("@n3");
    Await.until("the job running on n3", Duration.ofSeconds(20), Duration.ofMillis(100),
        () -> new JsonObject(send(n1, "GET", "/api/v1/checkpoints/" + id, admin, null).body())
            .getString("state").equals("running"));

    n3.kill();

    for (MainProcess member : members.subList(0, 2)) {
      Await.until(member.name() + " to show the job failed", Duration.ofSeconds(30),
          Duration.ofMillis(200), () -> {
            HttpResponse<String> read = send(member, "GET", "/api/v1/checkpoints/" + id, admin,
                null);
            return read.statusCode() == 200
                && new JsonObject(read.body()).getString("state").equals("failed");
          });
      JsonObject job = new JsonObject(send(member, "GET", "/api/v1/checkpoints/" + id, admin,
          null).body());
      assertThat(job.getJsonObject("error").getString("message")).contains("node n3");
      assertThat(ids(send(member, "GET", "/api/v1/checkpoints", admin, null))).contains(id);
      assertThat(send(member, "DELETE", "/api/v1/checkpoints/" + id, admin, null).statusCode())
          .isEqualTo(409);
    }
  }

  private static List<String> ids(HttpResponse<String> list) {
    assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
    JsonArray items = new JsonObject(list.body()).getJsonArray("items");
    return items.stream().map(item -> ((JsonObject) item).getString("id")).toList();
  }

  private static HttpResponse<String> send(MainProcess member, String method, String path,
      String token, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(member.url() + path))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null && !body.isEmpty()) {
      request.header("Content-Type", "application/json");
    }
    return call(request, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<byte[]> bytes(MainProcess member, String name, String token,
      String range, String ifNoneMatch) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(member.url()
            + "/api/v1/archives/" + name))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).GET();
    if (range != null) {
      request.header("Range", range);
    }
    if (ifNoneMatch != null) {
      request.header("If-None-Match", ifNoneMatch);
    }
    return call(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static <T> HttpResponse<T> call(HttpRequest.Builder request,
      HttpResponse.BodyHandler<T> body) {
    try {
      return HTTP.send(request.build(), body);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A gauge of a member's /metrics; -1 while it cannot be read. */
}
