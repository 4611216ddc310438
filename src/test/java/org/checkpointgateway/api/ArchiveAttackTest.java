package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.checkpointgateway.support.ArchiveFixtures;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.Fifo;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.junit.jupiter.api.Test;

/**
 * The attacks on the archives API found by the adversarial pass, made permanent: files swapped
 * under a download or inspection, hard links from elsewhere, archives too big to inspect, too
 * many inspections, and a pathological {@code Range}.
 */
class ArchiveAttackTest extends GatewayTestBase {

  static final Instant OLD = Instant.parse("2026-03-01T08:00:00Z");
  static final String NAME = "checkpoint-demo_default-app-2026-03-01T08:00:00.000000000Z.tar";
  static final String URI = "/api/v1/archives/" + NAME;
  /** How long an attacker keeps swapping a name while downloads run. */
  static final long RACE_MILLIS = 2500;

  String reader(String namespace) {
    return fixture.token("reader-" + namespace, "archives:read:" + namespace,
        "archives:download:" + namespace);
  }

  String everyNamespace() {
    return fixture.token("admin", "archives:*");
  }

  HttpAnswer get(String uri, String token, String... headers) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.put(headers[i], headers[i + 1]);
    }
    return Await.result(fixture.request(HttpMethod.GET, uri, token, map));
  }

  Path archive() {
    return ArchiveFixtures.crio(fixture.checkpointDir.resolve(NAME), "default", "demo", "app", OLD);
  }

  /** A small archive (8 KiB), so that thousands of downloads in a race cost the loops little. */
  Path smallArchive() {
    return ArchiveFixtures.small(fixture.checkpointDir, "default", "demo", "app", OLD);
  }

  /** A file's bytes as {@link HttpAnswer} holds a body: UTF-8, malformed bytes replaced. */
  static String text(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  /** A file outside the directory of the archive's length, every byte of it marked. */
  Path secret(Path archive) throws IOException {
    return Files.writeString(dir.resolve("secret"), "S".repeat((int) Files.size(archive)));
  }

  /**
   * Swaps {@code intruder} in under the archive's name and back, over and over, until stopped:
   * the archive for 4 ms, then the intruder for 1 ms, by renames, as an attacker with write
   * access to the directory would. A lookup late in the archive's turn is followed by an open in
   * the intruder's; a lookup early in it, by an open of the archive.
   */
  Thread swapper(Path archive, Path intruder, AtomicBoolean stop) {
    Path stash = fixture.checkpointDir.resolve("stash");
    Thread swapper = new Thread(() -> {
      try {
        while (!stop.get()) {
          LockSupport.parkNanos(4_000_000); // the attacker's pace, not a wait for a condition
          Files.move(archive, stash, StandardCopyOption.ATOMIC_MOVE);
          Files.move(intruder, archive, StandardCopyOption.ATOMIC_MOVE);
          LockSupport.parkNanos(1_000_000);
          Files.move(archive, intruder, StandardCopyOption.ATOMIC_MOVE);
          Files.move(stash, archive, StandardCopyOption.ATOMIC_MOVE);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "swapper");
    swapper.start();
    return swapper;
  }

  /** Runs {@code request} over and over, from {@code loops} loops at once, until the deadline. */
  List<HttpAnswer> repeatedly(int loops, java.util.function.IntFunction<Future<HttpAnswer>> request) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RACE_MILLIS);
    List<HttpAnswer> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < loops; i++) {
      all.add(loop(i, deadline, request, answers));
    }
    // Every request answers: a blocked open would leave one hanging past Await's deadline.
    Await.result(Future.all(all));
    return answers;
  }

  private Future<Void> loop(int n, long deadline, java.util.function.IntFunction<Future<HttpAnswer>> request,
      List<HttpAnswer> answers) {
    return request.apply(n).compose(answer -> {
      answers.add(answer);
      return System.nanoTime() < deadline ? loop(n + 2, deadline, request, answers)
          : Future.succeededFuture();
    });
  }

  @Test
  void aSymbolicLinkSwappedInAndOutDuringDownloadsIsNeverFollowed() throws Exception {
    fixture.startGateway();
    Path archive = smallArchive();
    String whole = text(archive);
    Path link = Files.createSymbolicLink(fixture.checkpointDir.resolve("link"), secret(archive));
    String token = reader("default");
    AtomicBoolean stop = new AtomicBoolean();
    Thread swapper = swapper(archive, link, stop);
    List<HttpAnswer> answers;
    try {
      answers = repeatedly(4, n -> fixture.request(HttpMethod.GET, URI, token, Map.of()));
    } finally {
      stop.set(true);
      swapper.join();
    }
    assertThat(answers).as("answers holding the file outside").noneMatch(answer -> answer.body().contains("SSSS"));
    assertThat(answers).extracting(HttpAnswer::status).isSubsetOf(200, 404, 409);
    List<HttpAnswer> served = answers.stream().filter(a -> a.status() == 200).toList();
    assertThat(served).as("some downloads got through the race").isNotEmpty();
    assertThat(served).allSatisfy(answer -> assertThat(answer.body()).isEqualTo(whole));
    assertThat(get(URI, token).body()).isEqualTo(whole);
  }

  @Test
  void aFifoSwappedInAndOutBlocksNoThread() throws Exception {
    fixture.startGateway();
    Path archive = smallArchive();
    Path fifo = Fifo.make(fixture.checkpointDir.resolve("fifo"));
    String token = reader("default");
    String whole = text(archive);
    AtomicBoolean stop = new AtomicBoolean();
    Thread swapper = swapper(archive, fifo, stop);
    List<HttpAnswer> answers;
    try {
      // Downloads and inspections by turns.
      answers = repeatedly(4, n -> fixture.request(HttpMethod.GET, n % 2 == 0 ? URI : URI + "/inspect",
          token, Map.of()));
    } finally {
      stop.set(true);
      swapper.join();
    }
    assertThat(answers).extracting(HttpAnswer::status).isSubsetOf(200, 404, 409, 429);
    assertThat(answers).filteredOn(a -> a.status() == 409)
        .allSatisfy(a -> assertThat(new JsonObject(a.body()).getString("message"))
            .contains("changed after it was looked up"));
    assertThat(answers).filteredOn(a -> a.status() == 200 && a.header("Content-Type").equals("application/x-tar"))
        .allSatisfy(a -> assertThat(a.body()).isEqualTo(whole));
    // Nothing is left waiting on the FIFO: workers, the inspection pool and the loops all serve.
    assertThat(Await.result(vertx.executeBlocking(() -> "free", false))).isEqualTo("free");
    assertThat(get(URI + "/inspect", token).status()).isEqualTo(200);
    assertThat(get(URI, token).body()).isEqualTo(whole);
  }

  @Test
  void aHardLinkToAFileElsewhereIsNotServedToNamespaceReaders() throws IOException {
    fixture.startGateway();
    // A file that is no checkpoint, linked in under a team-a archive name.
    Path secret = Files.writeString(dir.resolve("secret"), "SECRET of nobody");
    String secretName = "checkpoint-web_team-a-nginx-2026-03-01T09:00:00.000000000Z.tar";
    Files.createLink(fixture.checkpointDir.resolve(secretName), secret);
    // A team-b checkpoint kept elsewhere, linked in (under a team-a name, for good measure).
    Path elsewhere = ArchiveFixtures.crio(dir.resolve("elsewhere.tar"), "team-b", "db", "pg", OLD);
    String linkedName = "checkpoint-db_team-a-pg-2026-03-01T09:00:00.000000000Z.tar";
    Files.createLink(fixture.checkpointDir.resolve(linkedName), elsewhere);

    for (String token : List.of(reader("team-a"), reader("team-b"))) {
      assertThat(ArchiveRoutesTest.names(get("/api/v1/archives", token)))
          .doesNotContain(secretName, linkedName);
      for (String name : List.of(secretName, linkedName)) {
        assertThat(get("/api/v1/archives/" + name, token).status()).isEqualTo(404);
        assertThat(get("/api/v1/archives/" + name + "/inspect", token).status()).isEqualTo(404);
      }
    }
    // A caller allowed every namespace sees what is there.
    assertThat(ArchiveRoutesTest.names(get("/api/v1/archives", everyNamespace())))
        .contains(secretName, linkedName);
    HttpAnswer linked = get("/api/v1/archives/" + linkedName, everyNamespace());
    assertThat(linked.status()).isEqualTo(200);
    assertThat(linked.body()).isEqualTo(text(elsewhere));
  }

  /** A tar of {@code members} empty files named {@code name(i)}, after a spec.dump of team default. */
  Path manyMembers(int members, java.util.function.IntFunction<String> name) throws IOException {
    Path archive = fixture.checkpointDir.resolve(NAME);
    try (OutputStream out = Files.newOutputStream(archive);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      byte[] spec = new JsonObject().put("annotations", new JsonObject()
          .put("io.kubernetes.pod.namespace", "default")).toBuffer().getBytes();
      TarArchiveEntry specEntry = new TarArchiveEntry("spec.dump");
      specEntry.setSize(spec.length);
      tar.putArchiveEntry(specEntry);
      tar.write(spec);
      tar.closeArchiveEntry();
      for (int i = 0; i < members; i++) {
        tar.putArchiveEntry(new TarArchiveEntry(name.apply(i)));
        tar.closeArchiveEntry();
      }
    }
    return archive;
  }

  @Test
  void anArchiveOfTooManyMembersIsRefusedWithin422() throws IOException {
    fixture.startGateway();
    manyMembers(10_050, i -> "checkpoint/pages-" + i + ".img");
    HttpAnswer answer = get(URI + "/inspect", everyNamespace());
    assertThat(answer.status()).as(answer.body()).isEqualTo(422);
    JsonObject body = new JsonObject(answer.body());
    assertThat(body.getString("reason")).isEqualTo("LimitExceeded");
    assertThat(body.getString("message")).contains("more than 10000 members", "--inspect-max-members");
    // The listing reads within the same bounds: the archive is listed, unread, for wide readers.
    assertThat(ArchiveRoutesTest.names(get("/api/v1/archives", everyNamespace()))).contains(NAME);
    assertThat(ArchiveRoutesTest.names(get("/api/v1/archives", reader("default")))).doesNotContain(NAME);
  }

  @Test
  void longNamesCountAgainstTheBytesAnInspectionMayRead() throws IOException {
    fixture.startGateway(fixture.settings()
        .override("archives.inspectMaxBytes", "1Mi", "--inspect-max-bytes"));
    // 2,000 names of 1,000 characters: each a pax header of its own, 3 MB of headers in all.
    manyMembers(2_000, i -> "checkpoint/" + "n".repeat(1000) + i);
    HttpAnswer answer = get(URI + "/inspect", everyNamespace());
    assertThat(answer.status()).as(answer.body()).isEqualTo(422);
    assertThat(new JsonObject(answer.body()).getString("message"))
        .contains("more than 1048576 bytes", "--inspect-max-bytes");

    // Within the bounds, the same shape inspects.
    manyMembers(100, i -> "checkpoint/" + "n".repeat(1000) + i);
    HttpAnswer small = get(URI + "/inspect", everyNamespace());
    assertThat(small.status()).as(small.body()).isEqualTo(200);
    assertThat(new JsonObject(small.body()).getInteger("memberCount")).isEqualTo(101);
  }

  @Test
  void inspectionsBeyondTheLimitAreRefusedWith429() throws Exception {
    fixture.startGateway(fixture.settings()
        .override("archives.inspectMaxConcurrent", "1", "--inspect-max-concurrent"));
    archive();
    String token = reader("default");
    HttpAnswer alone = get(URI + "/inspect", token);
    assertThat(alone.status()).as(alone.body()).isEqualTo(200);
    // Hold the inspection pool's one thread, so an admitted inspection stays in flight.
    WorkerExecutor pool = vertx.createSharedWorkerExecutor("checkpoint-gateway-inspect", 1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Boolean> holding = pool.executeBlocking(() -> release.await(30, TimeUnit.SECONDS), false);
    try {
      Future<HttpAnswer> first = fixture.request(HttpMethod.GET, URI + "/inspect", token, Map.of());
      Future<HttpAnswer> second = fixture.request(HttpMethod.GET, URI + "/inspect", token, Map.of());
      // One is admitted and waits for the pool; the other is refused at once, so answers first.
      io.vertx.core.Promise<Future<HttpAnswer>> earlier = io.vertx.core.Promise.promise();
      first.onComplete(ignored -> earlier.tryComplete(first));
      second.onComplete(ignored -> earlier.tryComplete(second));
      Future<HttpAnswer> answeredFirst = Await.result(earlier.future());
      HttpAnswer refused = Await.result(answeredFirst);
      assertThat(refused.status()).as(refused.body()).isEqualTo(429);
      assertThat(refused.header("Retry-After")).isEqualTo("1");
      JsonObject body = new JsonObject(refused.body());
      assertThat(body.getString("reason")).isEqualTo("Overloaded");
      assertThat(body.getString("message")).contains("--inspect-max-concurrent 1");
      release.countDown();
      assertThat(Await.result(holding)).isTrue();
      HttpAnswer admitted = Await.result(answeredFirst == first ? second : first);
      assertThat(admitted.status()).isEqualTo(200);
    } finally {
      release.countDown();
      Await.result(pool.close());
    }
  }

  @Test
  void aPathologicalRangeIsIgnoredAndNeverHoldsTheEventLoop() throws IOException {
    fixture.startGateway();
    Path archive = archive();
    String whole = text(archive);
    String token = reader("default");
    // 7,000 spaces cost the old regular expression a quarter of a second of event loop each.
    String spaces = "bytes=" + " ".repeat(7_000) + "x";
    List<Future<HttpAnswer>> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(fixture.request(HttpMethod.GET, URI, token, Map.of("Range", spaces)));
    }
    for (Future<HttpAnswer> answer : answers) {
      HttpAnswer a = Await.result(answer);
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.body()).isEqualTo(whole);
    }
    // A valid range padded past the bound is ignored too; within it, it is served.
    // (Past the bound inside: the HTTP decoder trims white space around a header's value.)
    assertThat(get(URI, token, "Range", "bytes=" + " ".repeat(300) + "0-9").status()).isEqualTo(200);
    HttpAnswer padded = get(URI, token, "Range", "bytes=" + " ".repeat(240) + "0-9");
    assertThat(padded.status()).isEqualTo(206);
    assertThat(padded.header("Content-Range")).isEqualTo("bytes 0-9/" + Files.size(archive));
  }
}
