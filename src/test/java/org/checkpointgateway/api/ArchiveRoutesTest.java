package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.support.ArchiveFixtures;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.RawHttp;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The archives API end to end: real files, real HTTP, real tokens. */
class ArchiveRoutesTest {

  static final Instant OLD = Instant.parse("2026-03-01T08:00:00Z");
  static final String DEFAULT_APP = "checkpoint-demo_default-app-2026-03-01T08:00:00.000000000Z.tar";

  @TempDir
  Path dir;
  Vertx vertx;
  GatewayFixture fixture;
  HttpClient http;
  Path defaultApp;
  Path teamA;
  /** Undoes what made the directory refuse writes, if a test did. */
  Runnable writable;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    fixture = GatewayFixture.withRuntime(vertx, dir).startGateway();
    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(fixture.gateway.port()));
    defaultApp = ArchiveFixtures.crio(fixture.checkpointDir.resolve(DEFAULT_APP), "default", "demo", "app", OLD);
    teamA = ArchiveFixtures.containerd(fixture.checkpointDir.resolve(
        "checkpoint-web_team-a-nginx-2026-03-01T09:00:00.000000000Z.tar"), "team-a", "web", "nginx",
        OLD.plusSeconds(3600));
  }

  @AfterEach
  void stop() {
    if (writable != null) {
      writable.run();
    }
    Await.result(http.close());
    fixture.close();
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  HttpAnswer call(HttpMethod method, String uri, String token, Map<String, String> headers) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri);
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    headers.forEach(options::putHeader);
    return Await.result(fixture.onClientContext(() -> http.request(options)
        .compose(r -> r.send()).compose(response ->
        response.body().map(body -> new HttpAnswer(response.statusCode(), response.headers(),
            body.toString(java.nio.charset.StandardCharsets.ISO_8859_1), response.version())))));
  }

  HttpAnswer get(String uri, String token, String... headers) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.put(headers[i], headers[i + 1]);
    }
    return call(HttpMethod.GET, uri, token, map);
  }

  /** A token that may list, inspect and download the archives of {@code ns}. */
  String reader(String ns) {
    return fixture.token("reader-" + ns, "archives:read:" + ns, "archives:download:" + ns);
  }

  String admin() {
    return fixture.token("admin", "archives:*");
  }

  static String latin1(Path file) throws IOException {
    return new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  @Test
  void listShowsOnlyNamespacesTheTokenMayRead() {
    HttpAnswer all = get("/api/v1/archives", admin());
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.header("Content-Type")).isEqualTo("application/json");
    JsonArray items = new JsonObject(all.body()).getJsonArray("items");
    assertThat(items).hasSize(2);
    JsonObject first = items.getJsonObject(0);
    assertThat(first.getString("name")).isEqualTo(DEFAULT_APP);
    assertThat(first.getString("namespace")).isEqualTo("default");
    assertThat(first.getString("pod")).isEqualTo("demo");
    assertThat(first.getString("container")).isEqualTo("app");
    assertThat(first.getString("engine")).isEqualTo("CRI-O");
    assertThat(first.getLong("size")).isEqualTo(defaultApp.toFile().length());
    assertThat(first.getString("checkpointed")).isEqualTo(ArchiveFixtures.CHECKPOINTED.toString());
    assertThat(first.getBoolean("pinned")).isFalse();
    assertThat(first.getBoolean("writing")).isFalse();
    assertThat(items.getJsonObject(1).getString("engine")).isEqualTo("containerd");
    assertThat(items.getJsonObject(1).getString("namespace")).isEqualTo("team-a");

    assertThat(names(get("/api/v1/archives", reader("team-a")))).containsExactly(teamA.getFileName().toString());
    assertThat(names(get("/api/v1/archives", reader("default")))).containsExactly(DEFAULT_APP);
    assertThat(names(get("/api/v1/archives", fixture.token("nobody", "checkpoint:*")))).isEmpty();
    assertThat(get("/api/v1/archives", null).status()).isEqualTo(401);
  }

  @Test
  void listFilters() {
    assertThat(names(get("/api/v1/archives?namespace=team-a", admin()))).hasSize(1);
    assertThat(names(get("/api/v1/archives?pod=demo&container=app", admin()))).containsExactly(DEFAULT_APP);
    assertThat(names(get("/api/v1/archives?container=nope", admin()))).isEmpty();
  }

  @Test
  void theArchiveNotItsNameDecidesTheNamespace() throws IOException {
    // The name says namespace "default"; the archive says "secret-ns": the archive wins.
    Path liar = ArchiveFixtures.crio(fixture.checkpointDir.resolve(
        "checkpoint-x_default-y-2026-03-01T10:00:00.000000000Z.tar"), "secret-ns", "x", "y", OLD);
    assertThat(names(get("/api/v1/archives", reader("default")))).doesNotContain(liar.getFileName().toString());
    assertThat(get("/api/v1/archives/" + liar.getFileName(), reader("default")).status()).isEqualTo(404);
    assertThat(get("/api/v1/archives/" + liar.getFileName(), reader("secret-ns")).status()).isEqualTo(200);
  }

  @Test
  void anArchiveWhoseContentsDoNotSayItsNamespaceIsForEveryNamespaceReadersOnly() throws IOException {
    // Not a checkpoint: its name is all that speaks for it, and any file can be given a name.
    String name = "checkpoint-p_a-b-c-2026-03-01T10:00:00.000000000Z.tar";
    Files.writeString(fixture.checkpointDir.resolve(name), "not a tar");
    Path podman = ArchiveFixtures.podman(fixture.checkpointDir.resolve(
        "checkpoint-x_default-y-2026-03-01T10:00:00.000000000Z.tar"), "y", OLD);
    String both = fixture.token("both", "archives:read:a", "archives:read:a-b", "archives:read:default",
        "archives:download:a", "archives:download:a-b", "archives:download:default");
    for (String token : List.of(reader("a"), reader("a-b"), reader("default"), both)) {
      assertThat(names(get("/api/v1/archives", token))).doesNotContain(name, podman.getFileName().toString());
      assertThat(get("/api/v1/archives/" + name, token).status()).isEqualTo(404);
      assertThat(get("/api/v1/archives/" + podman.getFileName(), token).status()).isEqualTo(404);
    }
    String everyNamespace = fixture.token("all", "archives:read:*", "archives:download:*");
    assertThat(names(get("/api/v1/archives", everyNamespace))).contains(name, podman.getFileName().toString());
    assertThat(get("/api/v1/archives/" + podman.getFileName(), everyNamespace).body())
        .isEqualTo(latin1(podman));
  }

  @Test
  void downloadSendsTheWholeFileWithValidators() throws IOException {
    HttpAnswer answer = get("/api/v1/archives/" + DEFAULT_APP, reader("default"));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).isEqualTo("application/x-tar");
    assertThat(answer.header("Content-Length")).isEqualTo(Long.toString(Files.size(defaultApp)));
    assertThat(answer.header("Accept-Ranges")).isEqualTo("bytes");
    assertThat(answer.header("ETag")).matches("\"[0-9a-f]+-[0-9a-f]+\"");
    assertThat(answer.header("Last-Modified")).isEqualTo("Sun, 1 Mar 2026 08:00:00 GMT");
    assertThat(answer.header("Content-Disposition")).isEqualTo("attachment; filename=\"" + DEFAULT_APP + "\"");
    assertThat(answer.body()).isEqualTo(latin1(defaultApp));

    HttpAnswer head = call(HttpMethod.HEAD, "/api/v1/archives/" + DEFAULT_APP, reader("default"), Map.of());
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Content-Length")).isEqualTo(Long.toString(Files.size(defaultApp)));
    assertThat(head.header("ETag")).isEqualTo(answer.header("ETag"));
    assertThat(head.body()).isEmpty();

    HttpAnswer notModified = get("/api/v1/archives/" + DEFAULT_APP, reader("default"),
        "If-None-Match", answer.header("ETag"));
    assertThat(notModified.status()).isEqualTo(304);
    assertThat(notModified.body()).isEmpty();
  }

  /** HTTP/2 downloads take their own path (read on workers): whole files and ranges alike. */
  @Test
  void http2DownloadsSendTheWholeFileAndRanges() throws IOException {
    Await.result(http.close());
    fixture.close();
    fixture = GatewayFixture.withRuntime(vertx, dir);
    fixture.startGateway(fixture.settings().override("http.h2c", "true", "--http-h2c"));
    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(fixture.gateway.port()).setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    String all = latin1(defaultApp);
    String uri = "/api/v1/archives/" + DEFAULT_APP;

    HttpAnswer whole = get(uri, reader("default"));
    assertThat(whole.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.header("Content-Length")).isEqualTo(Long.toString(all.length()));
    assertThat(whole.body()).isEqualTo(all);

    HttpAnswer middle = get(uri, reader("default"), "Range", "bytes=100-1123");
    assertThat(middle.status()).isEqualTo(206);
    assertThat(middle.header("Content-Length")).isEqualTo("1024");
    assertThat(middle.body()).isEqualTo(all.substring(100, 1124));
    assertThat(get(uri, reader("default"), "Range", "bytes=-10").body())
        .isEqualTo(all.substring(all.length() - 10));
  }

  @Test
  void rangesResumeDownloads() throws IOException {
    String all = latin1(defaultApp);
    long size = all.length();
    String uri = "/api/v1/archives/" + DEFAULT_APP;
    String etag = get(uri, reader("default")).header("ETag");

    HttpAnswer middle = get(uri, reader("default"), "Range", "bytes=100-1123");
    assertThat(middle.status()).isEqualTo(206);
    assertThat(middle.header("Content-Range")).isEqualTo("bytes 100-1123/" + size);
    assertThat(middle.header("Content-Length")).isEqualTo("1024");
    assertThat(middle.body()).isEqualTo(all.substring(100, 1124));

    HttpAnswer rest = get(uri, reader("default"), "Range", "bytes=5000-", "If-Range", etag);
    assertThat(rest.status()).isEqualTo(206);
    assertThat(rest.body()).isEqualTo(all.substring(5000));

    HttpAnswer suffix = get(uri, reader("default"), "Range", "bytes=-10");
    assertThat(suffix.header("Content-Range")).isEqualTo("bytes " + (size - 10) + "-" + (size - 1) + "/" + size);
    assertThat(suffix.body()).isEqualTo(all.substring((int) size - 10));

    HttpAnswer pastTheEnd = get(uri, reader("default"), "Range", "bytes=" + size + "-");
    assertThat(pastTheEnd.status()).isEqualTo(416);
    assertThat(pastTheEnd.header("Content-Range")).isEqualTo("bytes */" + size);
    assertThat(new JsonObject(pastTheEnd.body()).getString("reason")).isEqualTo("RangeNotSatisfiable");

    // A stale copy (another validator), several ranges, or nonsense: the whole archive.
    assertThat(get(uri, reader("default"), "Range", "bytes=10-", "If-Range", "\"other\"").status()).isEqualTo(200);
    assertThat(get(uri, reader("default"), "Range", "bytes=0-1,5-6").status()).isEqualTo(200);
    assertThat(get(uri, reader("default"), "Range", "pages=1-2").status()).isEqualTo(200);
    assertThat(get(uri, reader("default"), "Range", "bytes=9-3").body()).hasSize((int) size);
  }

  @ParameterizedTest
  @ValueSource(strings = {"..%2F..%2F..%2Fetc%2Fpasswd", "%2E%2E", "..", "%2Fetc%2Fpasswd",
      "checkpoint-demo_default-app-2026-03-01T08:00:00.000000000Z.tar%2F..%2F..%2Fhs256.key",
      "notes.txt", ".checkpoint-gateway-pins.json", "passwd-link", "hs256.key"})
  void nothingButArchivesIsServed(String name) throws IOException {
    Files.writeString(fixture.checkpointDir.resolve("notes.txt"), "hello");
    Files.createSymbolicLink(fixture.checkpointDir.resolve("passwd-link"), Path.of("/etc/passwd"));
    HttpAnswer answer = get("/api/v1/archives/" + name, admin());
    assertThat(answer.status()).as(answer.body()).isIn(400, 404);
    assertThat(answer.body()).doesNotContain("root:").doesNotContain(fixture.secret);
    assertThat(get("/api/v1/archives/" + name + "/inspect", admin()).status()).isIn(400, 404);
  }

  /** A NUL in the name (sent raw: the test client would escape it) is no path to the file system. */
  @ParameterizedTest
  @ValueSource(strings = {"x%00", "!!%00?", "checkpoint-demo_default-app-2026-03-01T08:00:00.000000000Z.tar%00",
      "checkpoint-demo_default-app-2026-03-01T08:00:00.000000000Z.tar%00/inspect"})
  void aNameWithANulIsNotFound(String name) {
    String answer = RawHttp.exchange(fixture.gateway.port(), "GET /api/v1/archives/" + name
        + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin() + "\r\nConnection: close\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 404");
  }

  @Test
  void aSymbolicLinkWithAnArchiveNameIsNotAnArchive() throws IOException {
    String name = "checkpoint-evil_default-app-2026-03-01T08:00:00.000000000Z.tar";
    Files.createSymbolicLink(fixture.checkpointDir.resolve(name), Path.of("/etc/passwd"));
    Files.createDirectory(fixture.checkpointDir.resolve(
        "checkpoint-dir_default-app-2026-03-01T08:00:00.000000000Z.tar"));
    HttpAnswer answer = get("/api/v1/archives/" + name, admin());
    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body()).doesNotContain("root:");
    assertThat(names(get("/api/v1/archives", admin()))).hasSize(2);
    assertThat(call(HttpMethod.DELETE, "/api/v1/archives/" + name, admin(), Map.of()).status()).isEqualTo(404);
    assertThat(Files.isSymbolicLink(fixture.checkpointDir.resolve(name))).isTrue();
  }

  @Test
  void archivesOfOtherNamespacesAreIndistinguishableFromMissingOnes() {
    HttpAnswer hidden = get("/api/v1/archives/" + DEFAULT_APP, reader("team-a"));
    String missingName = "checkpoint-demo_default-app-2026-03-01T08:00:01.000000000Z.tar";
    HttpAnswer missing = get("/api/v1/archives/" + missingName, reader("team-a"));
    assertThat(hidden.status()).isEqualTo(404);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(hidden.body()).isEqualTo(missing.body().replace(missingName, DEFAULT_APP));
    assertThat(new JsonObject(hidden.body()).getMap()).containsEntry("status", 404)
        .containsEntry("reason", "NotFound");
    assertThat(get("/api/v1/archives/" + DEFAULT_APP + "/inspect", reader("team-a")).status()).isEqualTo(404);
    assertThat(call(HttpMethod.DELETE, "/api/v1/archives/" + DEFAULT_APP,
        fixture.token("deleter", "archives:delete:team-a"), Map.of()).status()).isEqualTo(404);
  }

  @Test
  void deleteAndPinNeedTheDeletePermission() {
    String uri = "/api/v1/archives/" + DEFAULT_APP;
    HttpAnswer denied = call(HttpMethod.DELETE, uri, reader("default"), Map.of());
    assertThat(denied.status()).isEqualTo(403);
    assertThat(new JsonObject(denied.body()).getString("message"))
        .isEqualTo("Forbidden (user=reader-default, verb=delete, resource=archives, subresource(s)=[default])");
    assertThat(call(HttpMethod.PUT, uri + "/pin", reader("default"), Map.of()).status()).isEqualTo(403);
    assertThat(Files.exists(defaultApp)).isTrue();

    String deleter = fixture.token("ops", "archives:read:default", "archives:delete:default");
    HttpAnswer pinned = call(HttpMethod.PUT, uri + "/pin", deleter, Map.of());
    assertThat(pinned.status()).isEqualTo(200);
    assertThat(new JsonObject(pinned.body()).getBoolean("pinned")).isTrue();
    assertThat(new JsonObject(get("/api/v1/archives", deleter).body()).getJsonArray("items")
        .getJsonObject(0).getBoolean("pinned")).isTrue();
    // The checkpoint-restore-operator's marker, beside the archive.
    assertThat(fixture.checkpointDir.resolve(DEFAULT_APP + ".keep")).isEmptyFile();

    HttpAnswer refused = call(HttpMethod.DELETE, uri, deleter, Map.of());
    assertThat(refused.status()).isEqualTo(409);
    assertThat(new JsonObject(refused.body()).getString("message")).contains("is pinned");

    assertThat(call(HttpMethod.DELETE, uri + "/pin", deleter, Map.of()).status()).isEqualTo(200);
    assertThat(fixture.checkpointDir.resolve(DEFAULT_APP + ".keep")).doesNotExist();
    assertThat(call(HttpMethod.DELETE, uri, deleter, Map.of()).status()).isEqualTo(204);
    assertThat(Files.exists(defaultApp)).isFalse();
    assertThat(get(uri, deleter).status()).isEqualTo(404);
    assertThat(call(HttpMethod.DELETE, uri, deleter, Map.of()).status()).isEqualTo(404);
  }

  @Test
  void downloadNeedsTheDownloadPermission() throws IOException {
    String uri = "/api/v1/archives/" + DEFAULT_APP;
    String readOnly = fixture.token("auditor", "archives:read:default");
    HttpAnswer denied = get(uri, readOnly);
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.header("Content-Type")).isEqualTo("application/json");
    assertThat(new JsonObject(denied.body())).isEqualTo(new JsonObject().put("status", 403)
        .put("reason", "Forbidden").put("message", "Forbidden (user=auditor, verb=download,"
            + " resource=archives, subresource(s)=[default])"));
    assertThat(call(HttpMethod.HEAD, uri, readOnly, Map.of()).status()).isEqualTo(403);
    // Reading keeps listing and inspecting.
    assertThat(names(get("/api/v1/archives", readOnly))).containsExactly(DEFAULT_APP);
    assertThat(get(uri + "/inspect", readOnly).status()).isEqualTo(200);

    String downloader = fixture.token("backup", "archives:download:default");
    HttpAnswer sent = get(uri, downloader);
    assertThat(sent.status()).isEqualTo(200);
    assertThat(sent.body()).isEqualTo(latin1(defaultApp));
    // Downloading is not reading: no list, no inspection (but it knows the archive exists).
    assertThat(names(get("/api/v1/archives", downloader))).isEmpty();
    assertThat(get(uri + "/inspect", downloader).status()).isEqualTo(403);
    assertThat(get(uri, fixture.token("other", "archives:download:team-a")).status())
        .isEqualTo(404);
    assertThat(get(uri, fixture.token("all", "archives:*")).status()).isEqualTo(200);
  }

  @Test
  void pinsSurviveARestart() {
    String uri = "/api/v1/archives/" + DEFAULT_APP;
    assertThat(call(HttpMethod.PUT, uri + "/pin", admin(), Map.of()).status()).isEqualTo(200);
    Await.result(fixture.gateway.close());
    fixture.startGateway();
    Await.result(http.close());
    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(fixture.gateway.port()));
    assertThat(new JsonObject(get("/api/v1/archives?container=app", admin()).body())
        .getJsonArray("items").getJsonObject(0).getBoolean("pinned")).isTrue();
  }

  /**
   * Makes saving a pin fail: the checkpoint directory made immutable ({@code chattr +i}, which
   * refuses root too) where the file system and capabilities allow, else read-only (which refuses
   * anyone but root). Returns what undoes it.
   */
  Runnable pinsCannotBeSaved() throws IOException {
    Path directory = fixture.checkpointDir;
    if (run("chattr", "+i", directory.toString())) {
      try {
        Files.delete(Files.createFile(directory.resolve("probe")));
      } catch (IOException refused) {
        return () -> run("chattr", "-i", directory.toString());
      }
      run("chattr", "-i", directory.toString());
    }
    Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions
        .fromString("r-x------"));
    return () -> {
      try {
        Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions
            .fromString("rwx------"));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  static boolean run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void aMarkerMadeByAnyonePinsAndIsNoArchive() throws IOException {
    String uri = "/api/v1/archives/" + DEFAULT_APP;
    Files.createFile(fixture.checkpointDir.resolve(DEFAULT_APP + ".keep"));

    assertThat(names(get("/api/v1/archives", admin())))
        .containsExactlyInAnyOrder(DEFAULT_APP, teamA.getFileName().toString());
    assertThat(new JsonObject(get("/api/v1/archives?container=app", admin()).body())
        .getJsonArray("items").getJsonObject(0).getBoolean("pinned")).isTrue();
    HttpAnswer refused = call(HttpMethod.DELETE, uri, admin(), Map.of());
    assertThat(refused.status()).isEqualTo(409);
    assertThat(new JsonObject(refused.body()).getString("message"))
        .isEqualTo("archive " + DEFAULT_APP + " is pinned (" + DEFAULT_APP + ".keep); unpin it first");
    assertThat(get("/api/v1/archives/" + DEFAULT_APP + ".keep", admin()).status()).isEqualTo(404);

    // The API's unpin removes a marker whoever made it.
    assertThat(call(HttpMethod.DELETE, uri + "/pin", admin(), Map.of()).status()).isEqualTo(200);
    assertThat(call(HttpMethod.DELETE, uri, admin(), Map.of()).status()).isEqualTo(204);
  }

  @Test
  void pinningNeverWritesThroughALinkPutWhereTheMarkerGoes() throws IOException {
    Path elsewhere = dir.resolve("elsewhere");
    Files.createDirectories(elsewhere);
    Path target = elsewhere.resolve("written-through-the-link");
    Path link = Files.createSymbolicLink(fixture.checkpointDir.resolve(DEFAULT_APP + ".keep"), target);
    String uri = "/api/v1/archives/" + DEFAULT_APP;

    // The name is taken: it pins already (keeping is the safe side); nothing is made at the target.
    HttpAnswer pinned = call(HttpMethod.PUT, uri + "/pin", admin(), Map.of());
    assertThat(pinned.status()).isEqualTo(200);
    assertThat(new JsonObject(pinned.body()).getBoolean("pinned")).isTrue();
    assertThat(target).doesNotExist();
    assertThat(call(HttpMethod.DELETE, uri, admin(), Map.of()).status()).isEqualTo(409);

    // Unpinning unlinks the name, never what it points at.
    Files.writeString(target, "keep me");
    assertThat(call(HttpMethod.DELETE, uri + "/pin", admin(), Map.of()).status()).isEqualTo(200);
    assertThat(link).doesNotExist();
    assertThat(target).hasContent("keep me");
  }

  @Test
  void theOldPinsFileBecomesMarkersOnceOnStart() throws IOException {
    Await.result(fixture.gateway.close());
    Path legacy = fixture.checkpointDir.resolve(ArchiveStore.PINS_FILE);
    Files.writeString(legacy, new JsonObject().put("pinned", new JsonArray()
        .add(DEFAULT_APP).add("../../outside.tar").add("notes.txt")).encode());
    fixture.startGateway();
    Await.result(http.close());
    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(fixture.gateway.port()));

    assertThat(fixture.checkpointDir.resolve(DEFAULT_APP + ".keep")).exists();
    assertThat(legacy).doesNotExist();
    assertThat(fixture.checkpointDir.resolve(ArchiveStore.PINS_FILE + ".migrated")).exists();
    // Only archive names became markers, and only in the directory.
    try (var listed = Files.list(fixture.checkpointDir)) {
      assertThat(listed.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".keep")))
          .containsExactly(DEFAULT_APP + ".keep");
    }
    assertThat(dir.resolve("outside.tar.keep")).doesNotExist();
    assertThat(new JsonObject(get("/api/v1/archives?container=app", admin()).body())
        .getJsonArray("items").getJsonObject(0).getBoolean("pinned")).isTrue();
  }

  @Test
  void aPinThatCannotBeSavedChangesNothing() throws IOException {
    String uri = "/api/v1/archives/" + DEFAULT_APP;
    writable = pinsCannotBeSaved();
    HttpAnswer failed = call(HttpMethod.PUT, uri + "/pin", admin(), Map.of());
    assertThat(failed.status()).as(failed.body()).isEqualTo(507);
    JsonObject body = new JsonObject(failed.body());
    assertThat(body.getString("reason")).isEqualTo("InsufficientStorage");
    assertThat(body.getString("message")).contains("cannot save the pin", "the pin is unchanged")
        .doesNotContain(fixture.checkpointDir.toString());
    assertThat(new JsonObject(get("/api/v1/archives?container=app", admin()).body())
        .getJsonArray("items").getJsonObject(0).getBoolean("pinned")).isFalse();

    writable.run();
    writable = null;
    // Nothing of the failed pin is left: a pin now saves, and the archive may be deleted.
    String other = "/api/v1/archives/" + teamA.getFileName();
    HttpAnswer pinned = call(HttpMethod.PUT, other + "/pin", admin(), Map.of());
    assertThat(pinned.status()).as(pinned.body()).isEqualTo(200);
    assertThat(new JsonObject(pinned.body()).getBoolean("pinned")).isTrue();
    assertThat(fixture.checkpointDir.resolve(teamA.getFileName() + ".keep")).exists();
    assertThat(fixture.checkpointDir.resolve(DEFAULT_APP + ".keep")).doesNotExist();
    assertThat(call(HttpMethod.DELETE, uri, admin(), Map.of()).status()).isEqualTo(204);
  }

  @Test
  void aDownloadInFlightKeepsItsArchive() throws IOException {
    // Big enough that the socket buffers fill while the client does not read.
    Path big = ArchiveFixtures.builder()
        .json("spec.dump", new JsonObject().put("annotations", new JsonObject()
            .put("io.kubernetes.pod.namespace", "default").put("io.kubernetes.pod.name", "big")
            .put("io.kubernetes.container.name", "mem")))
        .sized("checkpoint/pages-1.img", 64L << 20)
        .writeTo(fixture.checkpointDir.resolve("checkpoint-big_default-mem-2026-03-01T08:00:00.000000000Z.tar"), OLD);
    String uri = "/api/v1/archives/" + big.getFileName();
    NetClient net = vertx.createNetClient();
    NetSocket socket = Await.result(net.connect(fixture.gateway.port(), "127.0.0.1"));
    java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
    socket.handler(buffer -> {
      // Read the first bytes, then stop reading: the rest waits in the socket buffers.
      if (received.getAndAdd(buffer.length()) == 0) {
        socket.pause();
      }
    });
    Await.result(socket.write("GET " + uri + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
        + admin() + "\r\n\r\n"));
    Await.until("the download to start", () -> received.get() > 0);
    HttpAnswer attempt = call(HttpMethod.DELETE, uri, admin(), Map.of());
    assertThat(attempt.status()).isEqualTo(409);
    String busy = attempt.body();
    assertThat(busy).contains("is being downloaded");
    assertThat(Files.exists(big)).isTrue();

    Await.result(socket.close());
    HttpAnswer deleted = Await.until("the download to end", () -> fixtureDelete(uri),
        answer -> answer.status() == 204);
    assertThat(deleted.status()).isEqualTo(204);
    Await.result(net.close());
  }

  private io.vertx.core.Future<HttpAnswer> fixtureDelete(String uri) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.DELETE).setURI(uri)
        .putHeader("Authorization", "Bearer " + admin());
    return fixture.onClientContext(() -> http.request(options).compose(r -> r.send())
        .compose(HttpAnswer::read));
  }

  @Test
  void inspectReadsTheArchive() {
    HttpAnswer answer = get("/api/v1/archives/" + teamA.getFileName() + "/inspect", reader("team-a"));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    JsonObject body = new JsonObject(answer.body());
    assertThat(body.getString("engine")).isEqualTo("containerd");
    assertThat(body.getString("namespace")).isEqualTo("team-a");
    assertThat(body.getString("container")).isEqualTo("nginx");
    assertThat(body.getString("runtime")).isEqualTo("io.containerd.runc.v2");
    assertThat(body.getJsonObject("sizes").getLong("memoryPages"))
        .isEqualTo(ArchiveFixtures.PAGES_1 + ArchiveFixtures.PAGES_2);
    assertThat(body.getJsonObject("sizes").getLong("rootfsDiff")).isEqualTo(ArchiveFixtures.ROOTFS_DIFF);
    JsonObject stats = body.getJsonObject("criu").getJsonObject("dumpStatistics");
    assertThat(stats.getLong("frozenTimeMicros")).isEqualTo(56000);
    assertThat(stats.getLong("pagesWritten")).isEqualTo(8900);
    assertThat(body.getJsonArray("processes")).hasSize(2);
    assertThat(body.getJsonArray("processes").getJsonObject(1).getString("command")).isEqualTo("sh");
  }

  @Test
  void inspectOfTheSimulatorsOwnArchive() {
    HttpAnswer made = fixture.post("/checkpoint/default/demo/app", fixture.adminToken());
    assertThat(made.status()).isEqualTo(200);
    String name = Path.of(new JsonObject(made.body()).getJsonArray("items").getString(0)).getFileName().toString();
    HttpAnswer answer = get("/api/v1/archives/" + name + "/inspect", reader("default"));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    JsonObject body = new JsonObject(answer.body());
    assertThat(body.getString("engine")).isEqualTo("simulator");
    assertThat(body.getString("manager")).isEqualTo("checkpoint-gateway-simulator");
    assertThat(body.getString("pod")).isEqualTo("demo");
    assertThat(body.getString("container")).isEqualTo("app");
    assertThat(body.getString("image")).isEqualTo("docker.io/library/busybox:latest");
    assertThat(body.getString("runtime")).isEqualTo("runc");
    assertThat(body.getJsonObject("sizes").getLong("memoryPages")).isEqualTo(65536);
    assertThat(body.getJsonObject("criu").getInteger("imagesVersion")).isEqualTo(2);
    // 8 MiB of memory in 4 KiB pages.
    JsonObject stats = body.getJsonObject("criu").getJsonObject("dumpStatistics");
    assertThat(stats.getLong("pagesScanned")).isEqualTo(2048);
    assertThat(stats.getLong("pagesWritten")).isEqualTo(2048);
    assertThat(stats.getLong("frozenTimeMicros")).isPositive();
    assertThat(body.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("name")))
        .contains("config.dump", "spec.dump", "checkpoint/inventory.img", "checkpoint/pages-1.img",
            "stats-dump", "dump.log");
  }

  @Test
  void otherMethodsAre405InJson() {
    HttpAnswer answer = call(HttpMethod.POST, "/api/v1/archives/" + DEFAULT_APP, admin(), Map.of());
    assertThat(answer.status()).isEqualTo(405);
    assertThat(answer.header("Content-Type")).isEqualTo("application/json");
  }

  static List<String> names(HttpAnswer answer) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return new JsonObject(answer.body()).getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("name")).toList();
  }

  static byte[] bytes(Buffer buffer) {
    return Arrays.copyOf(buffer.getBytes(), buffer.length());
  }
}
