package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.archive.Retention;
import org.checkpointgateway.archive.RetentionOptions;
import org.checkpointgateway.archive.RetentionPolicies;
import org.checkpointgateway.archive.RetentionPolicies.Limits;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.cri.CriEndpoint;
import org.checkpointgateway.cri.RuntimeProbe;
import org.checkpointgateway.cri.RuntimeWatch;
import org.checkpointgateway.metrics.GatewayMetrics;
import org.checkpointgateway.sim.SimulatedRuntime;
import org.checkpointgateway.sim.SimulatorSeed;
import org.checkpointgateway.support.ArchiveFixtures;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retainOrphan: false} against the simulated runtime over its unix socket: the archive of a
 * container the runtime does not have goes; one of an exited container stays (any state counts);
 * nothing goes while the runtime cannot be asked.
 */
class RuntimeCensusTest {

  @TempDir
  Path dir;
  Vertx vertx;
  SimulatedRuntime runtime;
  CriClient cri;
  RuntimeWatch watch;
  ArchiveDirectory directory;
  ArchiveStore store;
  Path gone;
  Path exited;
  Path running;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    runtime = Await.result(SimulatedRuntime.start(vertx,
        SimulatorSeed.parse(GatewayFixture.SEED, "test seed"), dir.resolve("cri.sock")));
    CriEndpoint endpoint = CriEndpoint.parse("unix://" + runtime.socketPath());
    cri = CriClient.create(vertx, endpoint, GatewayMetrics.none());
    watch = new RuntimeWatch(vertx, cri, endpoint, new RuntimeProbe(Duration.ofMillis(100),
        Duration.ofSeconds(5)));
    watch.start();
    Await.until("the runtime is ready", watch::ready);
    directory = new ArchiveDirectory(vertx, dir.resolve("checkpoints"));
    Await.result(directory.ensureExists());
    store = ArchiveStore.create(vertx, directory);
    Await.result(store.start());
    Instant old = Instant.now().minus(Duration.ofHours(2));
    gone = ArchiveFixtures.small(directory.path(), "default", "demo", "vanished", old);
    exited = ArchiveFixtures.small(directory.path(), "default", "demo", "done", old);
    running = ArchiveFixtures.small(directory.path(), "default", "demo", "app", old);
  }

  @AfterEach
  void stop() {
    watch.stop();
    Await.result(cri.close());
    if (runtime != null) {
      Await.result(runtime.close());
    }
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  Retention retention(Boolean retainOrphan) {
    Limits global = new Limits(OptionalInt.empty(), OptionalLong.empty(), OptionalLong.empty(),
        Optional.ofNullable(retainOrphan));
    RetentionPolicies policies = new RetentionPolicies(global, Limits.NONE, Limits.NONE,
        List.of(), List.of(), List.of());
    return store.startRetention(new RetentionOptions(OptionalInt.empty(), OptionalLong.empty(),
        Optional.empty(), Duration.ofHours(1), Duration.ZERO, policies),
        new RuntimeCensus(cri, watch, Duration.ofSeconds(5)));
  }

  @Test
  void retainOrphanFalseRemovesTheArchiveOfAContainerTheRuntimeDoesNotHave() {
    Retention.Report report = Await.result(retention(false).run());

    assertThat(report.removed()).containsExactly(gone.getFileName().toString());
    assertThat(Files.exists(gone)).isFalse();
    assertThat(exited).exists();
    assertThat(running).exists();
  }

  @Test
  void retainOrphanTrueOrUnsetKeepsIt() {
    // Unset: retention is off altogether; true with a limit that removes nothing runs and keeps it.
    assertThat(Await.result(retention(null).run()).removed()).isEmpty();
    Limits many = new Limits(OptionalInt.of(100), OptionalLong.empty(), OptionalLong.empty(),
        Optional.of(true));
    Retention kept = store.startRetention(new RetentionOptions(OptionalInt.empty(),
        OptionalLong.empty(), Optional.empty(), Duration.ofHours(1), Duration.ZERO,
        new RetentionPolicies(many, Limits.NONE, Limits.NONE, List.of(), List.of(), List.of())),
        new RuntimeCensus(cri, watch, Duration.ofSeconds(5)));
    assertThat(Await.result(kept.run()).removed()).isEmpty();
    assertThat(kept.runs()).isEqualTo(1);
    assertThat(gone).exists();
  }

  @Test
  void nothingIsAnOrphanWhileTheRuntimeIsStopped() throws IOException {
    Await.result(runtime.close());
    runtime = null;
    Retention retention = retention(false);

    assertThat(Await.result(retention.run()).removed()).isEmpty();
    // Asked again once the watch has seen the runtime go: still nothing.
    Await.until("the runtime is seen gone", () -> !watch.ready());
    assertThat(Await.result(retention.run()).removed()).isEmpty();
    assertThat(retention.runs()).isEqualTo(2);
    assertThat(gone).exists();
    assertThat(exited).exists();
  }

  @Test
  void theGatewayAsksItsRuntimeWhenRetainOrphanIsFalse() throws IOException {
    GatewayFixture fixture = GatewayFixture.withRuntime(vertx,
        Files.createDirectories(dir.resolve("gw")));
    try {
      Files.createDirectories(fixture.checkpointDir);
      Instant old = Instant.now().minus(Duration.ofHours(2));
      Path orphan = ArchiveFixtures.small(fixture.checkpointDir, "default", "demo", "vanished", old);
      Path alive = ArchiveFixtures.small(fixture.checkpointDir, "default", "demo", "app", old);
      fixture.startGateway(fixture.settings()
          .override("retention.global.retainOrphan", "false", "test"));
      // The first runs may come before the gateway has seen its runtime ready: nothing then.
      Await.until("the orphan is removed", () -> {
        Await.result(fixture.gateway.retention().run());
        return !Files.exists(orphan);
      });
      assertThat(alive).exists();
    } finally {
      fixture.close();
    }
  }
}
