package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.checkpointgateway.config.Settings;
import org.checkpointgateway.support.ArchiveFixtures;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention over real files: each rule, pins, downloads in flight, and after each checkpoint. */
class RetentionTest {

  @TempDir
  Path dir;
  Vertx vertx;
  ArchiveDirectory directory;
  ArchiveStore store;
  Instant now = Instant.now();

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    directory = new ArchiveDirectory(vertx, dir.resolve("checkpoints"));
    Await.result(directory.ensureExists());
    store = ArchiveStore.create(vertx, directory);
    Await.result(store.start());
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  Path archive(String container, int hoursAgo) {
    return ArchiveFixtures.small(directory.path(), "default", "demo", container,
        now.minus(Duration.ofHours(hoursAgo)));
  }

  Retention retention(Integer perContainer, Long maxBytes, Duration maxAge) {
    return store.startRetention(new RetentionOptions(
        perContainer == null ? OptionalInt.empty() : OptionalInt.of(perContainer),
        maxBytes == null ? OptionalLong.empty() : OptionalLong.of(maxBytes),
        Optional.ofNullable(maxAge), Duration.ofHours(1), Duration.ZERO));
  }

  List<Path> left() throws IOException {
    try (var files = Files.list(directory.path())) {
      return files.filter(p -> ArchiveName.isArchiveName(p.getFileName().toString())).sorted().toList();
    }
  }

  @Test
  void maxAgeRemovesOldArchivesAndCountsThem() throws IOException {
    Path old = archive("app", 48);
    Path young = archive("app", 2);
    Retention retention = retention(null, null, Duration.ofDays(1));
    Retention.Report report = Await.result(retention.run());

    assertThat(report.removed()).containsExactly(old.getFileName().toString());
    assertThat(report.bytes()).isEqualTo(retention.removedBytes()).isPositive();
    assertThat(left()).containsExactly(young);
    assertThat(retention.removedArchives()).isEqualTo(1);
    assertThat(retention.runs()).isEqualTo(1);
  }

  @Test
  void perContainerKeepsPinnedArchivesBeyondTheCount() throws IOException {
    Path a1 = archive("app", 5);
    Path a2 = archive("app", 4);
    Path a3 = archive("app", 3);
    Path other = archive("sidecar", 6);
    Archive first = Await.result(store.find(a1.getFileName().toString()));
    Await.result(store.pin(first, true));

    Await.result(retention(1, null, null).run());
    assertThat(left()).containsExactlyInAnyOrder(a1, a3, other);
  }

  @Test
  void maxBytesSparesAnArchiveBeingDownloadedUntilTheDownloadEnds() throws IOException {
    Path oldest = archive("app", 5);
    Path middle = archive("app", 4);
    Path newest = archive("app", 3);
    long each = Files.size(oldest);
    Retention retention = retention(null, 2 * each, null);
    ArchiveStore.Download download = Await.result(store.startDownload(
        Await.result(store.find(oldest.getFileName().toString()))));

    // The oldest is busy: the next oldest goes instead.
    Await.result(retention.run());
    assertThat(left()).containsExactlyInAnyOrder(oldest, newest);

    download.release();
    Path fresh = archive("app", 1);
    Await.until("retention to remove the archive once its download ended", () -> {
      Await.result(retention.run());
      try {
        return left().equals(List.of(newest, fresh).stream().sorted().toList());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThat(retention.removedArchives()).isEqualTo(2);
    assertThat(middle).doesNotExist();
  }

  @Test
  void anArchiveBeingWrittenIsNeverRemoved() throws IOException {
    Path writing = archive("app", 30);
    directory.writing(writing);
    Await.result(retention(null, 1L, Duration.ofHours(1)).run());
    assertThat(left()).containsExactly(writing);
    directory.written(writing);
    Await.result(retention(null, 1L, Duration.ofHours(1)).run());
    assertThat(left()).isEmpty();
  }

  @Test
  void concurrentTriggersCoalesceAndNeverRace() throws IOException {
    for (int i = 0; i < 20; i++) {
      archive("c" + i, 30 + i);
    }
    Retention retention = retention(null, null, Duration.ofHours(1));
    List<Retention.Report> reports = Await.result(io.vertx.core.Future.all(
        java.util.stream.IntStream.range(0, 8).mapToObj(i -> retention.run()).toList())).list();
    long removed = reports.stream().distinct().mapToLong(r -> r.removed().size()).sum();
    assertThat(removed).isEqualTo(20);
    assertThat(retention.removedArchives()).isEqualTo(20);
    assertThat(left()).isEmpty();
  }

  @Test
  void aMarkerMadeByAnyoneKeepsAnArchiveFromRetention() throws IOException {
    Path a1 = archive("app", 5);
    Path a2 = archive("app", 4);
    Path a3 = archive("app", 3);
    Files.createFile(directory.path().resolve(a1.getFileName() + ".keep"));

    Await.result(retention(1, 1L, Duration.ofHours(1)).run());
    assertThat(left()).containsExactly(a1);
    assertThat(a2).doesNotExist();
    assertThat(a3).doesNotExist();
  }

  @Test
  void theGatewaysOwnCompletedCheckpointsNeedNoQuietPeriod(@TempDir Path other) throws IOException {
    Vertx gatewayVertx = StrictVertx.create();
    GatewayFixture fixture = GatewayFixture.withRuntime(gatewayVertx, other);
    try {
      // As a new user tries it: the flag alone, the default quiet period of a minute.
      fixture.startGateway(fixture.settings()
          .override("retention.perContainer", "3", "--retain-per-container"));
      // A file someone else just wrote is still protected by the quiet period.
      Path outside = ArchiveFixtures.small(fixture.checkpointDir, "default", "demo", "app",
          Instant.now().minus(Duration.ofHours(1)));
      Files.setLastModifiedTime(outside, java.nio.file.attribute.FileTime.from(Instant.now()));
      String token = fixture.adminToken();
      List<String> made = new java.util.ArrayList<>();
      for (int i = 0; i < 5; i++) {
        HttpAnswer answer = fixture.post("/checkpoint/default/demo/app", token);
        assertThat(answer.status()).isEqualTo(200);
        made.add(new JsonObject(answer.body()).getJsonArray("items").getString(0));
      }
      // Well within the quiet period: it is not what lets them go.
      Await.until("retention to keep three of the gateway's own archives",
          Duration.ofSeconds(20), () -> archivesOf(fixture).size() == 4);
      assertThat(archivesOf(fixture)).containsExactlyInAnyOrder(outside, Path.of(made.get(2)),
          Path.of(made.get(3)), Path.of(made.get(4)));
    } finally {
      fixture.close();
      Await.result(gatewayVertx.close());
    }
    StrictVertx.assertNeverBlocked(gatewayVertx);
  }

  static List<Path> archivesOf(GatewayFixture fixture) {
    return fixture.archives().stream()
        .filter(p -> ArchiveName.isArchiveName(p.getFileName().toString())).toList();
  }

  @Test
  void runsAfterEachCheckpointThroughTheGateway(@TempDir Path other) {
    Vertx gatewayVertx = StrictVertx.create();
    GatewayFixture fixture = GatewayFixture.withRuntime(gatewayVertx, other);
    try {
      Settings settings = fixture.settings()
          .override("retention.perContainer", "1", "--retain-per-container")
          .override("retention.quietPeriod", "0", "test");
      fixture.startGateway(settings);
      String token = fixture.adminToken();
      HttpAnswer first = fixture.post("/checkpoint/default/demo/app", token);
      HttpAnswer second = fixture.post("/checkpoint/default/demo/app", token);
      assertThat(second.status()).isEqualTo(200);
      String kept = new JsonObject(second.body()).getJsonArray("items").getString(0);
      Await.until("retention to remove the first archive", () -> fixture.archives().stream()
          .filter(p -> ArchiveName.isArchiveName(p.getFileName().toString())).toList()
          .equals(List.of(Path.of(kept))));
      assertThat(new JsonObject(first.body()).getJsonArray("items").getString(0)).isNotEqualTo(kept);
      // The file goes before the count moves: wait for the count too.
      Await.until("retention to count the removal", () -> fixture.gateway.retention().removedArchives() == 1);
      assertThat(fixture.gateway.retention().removedArchives()).isEqualTo(1);
    } finally {
      fixture.close();
      Await.result(gatewayVertx.close());
    }
    StrictVertx.assertNeverBlocked(gatewayVertx);
  }
}
