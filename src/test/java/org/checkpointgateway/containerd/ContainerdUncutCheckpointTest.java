package org.checkpointgateway.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.checkpointgateway.sim.CheckpointObservation;
import org.checkpointgateway.sim.CheckpointObservation.Outcome;
import org.checkpointgateway.sim.SimulatedRuntime;
import org.checkpointgateway.sim.SimulatorSeed;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On containerd the gateway never cuts the runtime's CheckpointContainer short: containerd 2.x
 * leaves the container paused for good when that call expires or is cancelled (see
 * {@link ContainerdCheckpointTest}). The caller still has its answer at its deadline or when it
 * goes away; the runtime finishes into a hidden file, which is then removed. Here against the
 * simulator calling itself containerd, so that it runs everywhere; other runtimes are still cut.
 */
class ContainerdUncutCheckpointTest {

  static final String SEED = """
      runtimeName: %s
      runtimeVersion: 2.1.9
      pods:
        - namespace: team-a
          name: web
          containers:
            - name: slow
              memoryBytes: 1048576
              checkpointSeconds: 2
            - name: quick
              memoryBytes: 1048576
              checkpointSeconds: 0.05
      """;

  @TempDir
  Path dir;
  Vertx vertx = StrictVertx.create();
  SimulatedRuntime runtime;
  GatewayFixture gateway;

  void start(String runtimeName) {
    gateway = GatewayFixture.withoutRuntime(vertx, dir);
    runtime = Await.result(SimulatedRuntime.start(vertx,
        SimulatorSeed.parse(SEED.formatted(runtimeName), "test seed"), gateway.socket));
    gateway.startGateway();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (runtime != null) {
      Await.result(runtime.close());
    }
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  @Test
  void aDeadlineIsAnsweredOnTimeWhileContainerdFinishesAndItsArchiveIsRemoved() {
    start(ContainerdAwareCheckpointer.CONTAINERD);
    Future<CheckpointObservation> runtimeSaw = runtime.nextCheckpointEnded();

    HttpAnswer answer = gateway.post("/checkpoint/team-a/web/slow?timeout=1", gateway.adminToken());

    boolean runtimeWasDone = runtimeSaw.isComplete();
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.body()).isEqualTo("checkpointing of team-a/web/slow failed "
        + "(rpc error: code = DeadlineExceeded desc = context deadline exceeded)");
    // At the caller's deadline, before the runtime (2 s) was done: order, not time.
    assertThat(runtimeWasDone).as("the runtime's call had ended before the answer").isFalse();
    CheckpointObservation call = Await.result(runtimeSaw);
    assertThat(call.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(call.grpcTimeoutMillis())
        .isGreaterThan(ContainerdAwareCheckpointer.RUNTIME_GRACE.toMillis());
    assertThat(Path.of(call.location()).getFileName().toString()).startsWith(".checkpoint-web_team-a-slow-")
        .endsWith(".tar.partial");
    Await.until("the runtime's archive to be removed", () -> gateway.archives().isEmpty());
    assertThat(runtime.checkpointsCancelled()).isZero();
  }

  @Test
  void aCallerThatGoesAwayDoesNotCancelContainerd() {
    start(ContainerdAwareCheckpointer.CONTAINERD);
    Future<CheckpointObservation> runtimeSaw = runtime.nextCheckpointEnded();
    var net = vertx.createNetClient();
    var socket = Await.result(net.connect(gateway.gateway.port(), "127.0.0.1"));
    Await.result(socket.write("POST /checkpoint/team-a/web/slow HTTP/1.1\r\n"
        + "Host: localhost\r\nAuthorization: Bearer " + gateway.adminToken()
        + "\r\nContent-Length: 0\r\n\r\n"));
    Await.until("the runtime to start", () -> runtime.activeCheckpoints() == 1);

    Await.result(socket.close());

    assertThat(Await.result(runtimeSaw).outcome()).isEqualTo(Outcome.COMPLETED);
    Await.until("the runtime's archive to be removed", () -> gateway.archives().isEmpty());
    assertThat(runtime.checkpointsCancelled()).isZero();
    Await.result(net.close());
  }

  @Test
  void aCompletedCheckpointIsRenamedIntoPlaceOwnerOnly() throws IOException {
    start(ContainerdAwareCheckpointer.CONTAINERD);

    HttpAnswer answer = gateway.post("/checkpoint/team-a/web/quick", gateway.adminToken());

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    Path archive = Path.of(new JsonObject(answer.body()).getJsonArray("items").getString(0));
    assertThat(gateway.archives()).containsExactly(archive);
    assertThat(Files.getPosixFilePermissions(archive))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    Await.until("the runtime to record the call", () -> !runtime.observations().isEmpty());
    assertThat(runtime.observations()).singleElement()
        .satisfies(call -> assertThat(call.location())
            .isEqualTo(archive.resolveSibling("." + archive.getFileName() + ".partial").toString()));
  }

  @Test
  void otherRuntimesAreStillCutAtTheDeadline() {
    start("cri-o");
    Future<CheckpointObservation> runtimeSaw = runtime.nextCheckpointEnded();

    HttpAnswer answer = gateway.post("/checkpoint/team-a/web/slow?timeout=1", gateway.adminToken());

    assertThat(answer.status()).isEqualTo(500);
    CheckpointObservation call = Await.result(runtimeSaw);
    assertThat(call.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(call.location()).endsWith(".tar");
    assertThat(gateway.archives()).isEmpty();
  }
}
