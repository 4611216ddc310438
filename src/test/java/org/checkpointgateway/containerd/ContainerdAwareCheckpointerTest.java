package org.checkpointgateway.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import org.checkpointgateway.metrics.GatewayMetrics;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The containerd checkpointer against {@link SimulatedContainerd}: the fall-back to the task API
 * on containerd 1.6, its deadline and cancellation (the task call is reset, nothing is left), and
 * on containerd 2.x the uncut CRI call (the caller has its answer on time, the runtime's call is
 * never reset, and what it writes afterwards is removed).
 */
class ContainerdAwareCheckpointerTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  Vertx vertx;
  SimulatedContainerd containerd;
  CriClient cri;
  ContainerdAwareCheckpointer checkpointer;

  void start(SimulatedContainerd.Version version) throws IOException {
    vertx = StrictVertx.create();
    Files.createDirectories(dir.resolve("checkpoints"));
    containerd = Await.result(SimulatedContainerd.start(vertx, version, dir.resolve("containerd.sock")));
    cri = CriClient.create(vertx, containerd.endpoint(), GatewayMetrics.none());
    checkpointer = ContainerdAwareCheckpointer.create(vertx, cri, containerd.endpoint(), true);
  }

  @AfterEach
  void stop() {
    if (vertx == null) {
      return;
    }
    Await.result(checkpointer.close());
    Await.result(cri.close());
    Await.result(containerd.close());
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  Path archive(String name) {
    return dir.resolve("checkpoints").resolve(name);
  }

  Future<Void> checkpoint(Path archive, Duration timeout, Future<Void> abandon) {
    return checkpointer.checkpoint(SimulatedContainerd.CONTAINER_ID, archive,
        RequestContext.withTimeout(timeout).withCancel(abandon));
  }

  List<String> checkpointDirectory() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("checkpoints"))) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  static RuntimeCallFailedException runtimeFailure(Future<?> outcome) {
    Throwable failure = Await.failure(outcome);
    assertThat(failure).isInstanceOf(RuntimeCallFailedException.class);
    return (RuntimeCallFailedException) failure;
  }

  @Test
  void containerd16FallsBackToTheTaskApiOnceAndAssemblesTheArchive() throws IOException {
    start(SimulatedContainerd.Version.V1_6);

    Await.result(checkpoint(archive("first.tar"), LONG, Promise.<Void>promise().future()));
    Await.result(checkpoint(archive("second.tar"), LONG, Promise.<Void>promise().future()));

    // CRI CheckpointContainer answered UNIMPLEMENTED once; after that, straight to the task API.
    assertThat(containerd.events().stream().filter(call -> call.contains("Checkpoint")).toList())
        .containsExactly("CheckpointContainer", "Tasks.Checkpoint", "Tasks.Checkpoint");
    assertThat(checkpointDirectory()).containsExactly("first.tar", "second.tar");
    Map<String, byte[]> small = new HashMap<>();
    Map<String, Long> sizes = new LinkedHashMap<>();
    ContainerdCheckpointTest.readArchive(archive("second.tar"), small, sizes);
    assertThat(sizes.keySet()).containsExactly("config.dump", "spec.dump", "status.dump",
        "stats-dump", "dump.log", "checkpoint/", "checkpoint/inventory.img",
        "checkpoint/pages-1.img");
    assertThat(sizes).containsEntry("checkpoint/pages-1.img", 4096L);
    // The metadata comes from containerd's answers: its stored spec, the CRI plugin's name.
    assertThat(new String(small.get("spec.dump"), StandardCharsets.UTF_8))
        .isEqualTo("{\"ociVersion\":\"1.0.2\"}");
    assertThat(new JsonObject(Buffer.buffer(small.get("config.dump"))).getString("name"))
        .isEqualTo("app_web_team-a_6b1c_0");
  }

  @Test
  void aDeadlineResetsTheTaskCallAndLeavesNothing() throws IOException {
    start(SimulatedContainerd.Version.V1_6);
    containerd.taskCheckpoint(SimulatedContainerd.TaskCheckpoint.HANG);

    RuntimeCallFailedException failure = runtimeFailure(
        checkpoint(archive("late.tar"), Duration.ofMillis(500), Promise.<Void>promise().future()));

    assertThat(failure.code()).isEqualTo("DeadlineExceeded");
    assertThat(failure.description()).isEqualTo("context deadline exceeded");
    Await.until("containerd to see the task call reset",
        () -> containerd.events().contains("Tasks.Checkpoint reset"));
    // The deadline travelled with the call: what was left of the 500 ms, never more.
    assertThat(containerd.grpcTimeouts("Tasks.Checkpoint")).hasSize(1).allSatisfy(millis ->
        assertThat(millis).isPositive().isLessThanOrEqualTo(500));
    assertThat(checkpointDirectory()).isEmpty();
  }

  @Test
  void containerdsOwnDeadlineAnswerIsOurDeadlineExceeded() throws IOException {
    start(SimulatedContainerd.Version.V1_6);
    containerd.taskCheckpoint(SimulatedContainerd.TaskCheckpoint.EXPIRE_FIRST);

    RuntimeCallFailedException failure = runtimeFailure(
        checkpoint(archive("expired.tar"), Duration.ofMillis(800), Promise.<Void>promise().future()));

    // Not "Unknown: context deadline exceeded: unknown" (the CI run that found it): the same
    // answer as when our own timer ends the call first.
    assertThat(failure.code()).isEqualTo("DeadlineExceeded");
    assertThat(failure.description()).isEqualTo("context deadline exceeded");
    assertThat(containerd.events()).doesNotContain("Tasks.Checkpoint reset");
    assertThat(checkpointDirectory()).isEmpty();
  }

  @Test
  void aCallerThatGoesAwayResetsTheTaskCallAndLeavesNothing() throws IOException {
    start(SimulatedContainerd.Version.V1_6);
    containerd.taskCheckpoint(SimulatedContainerd.TaskCheckpoint.HANG);
    Promise<Void> abandon = Promise.promise();

    Future<Void> outcome = checkpoint(archive("gone.tar"), LONG, abandon.future());
    Await.until("the task call to reach containerd",
        () -> containerd.events().contains("Tasks.Checkpoint"));
    abandon.complete();

    RuntimeCallFailedException failure = runtimeFailure(outcome);
    assertThat(failure.code()).isEqualTo("Canceled");
    assertThat(failure.description()).isEqualTo("context canceled");
    Await.until("containerd to see the task call reset",
        () -> containerd.events().contains("Tasks.Checkpoint reset"));
    assertThat(checkpointDirectory()).isEmpty();
  }

  @Test
  void onContainerd2ADeadlineAnswersOnTimeAndTheUncutCallLeavesNothing() throws IOException {
    start(SimulatedContainerd.Version.V2);

    RuntimeCallFailedException failure = runtimeFailure(
        checkpoint(archive("late.tar"), Duration.ofMillis(300), Promise.<Void>promise().future()));

    assertThat(failure.code()).isEqualTo("DeadlineExceeded");
    assertLetRunAndCleanedUp();
  }

  @Test
  void onContainerd2ACallerThatGoesAwayIsAnsweredAndTheUncutCallLeavesNothing() throws IOException {
    start(SimulatedContainerd.Version.V2);
    Promise<Void> abandon = Promise.promise();

    Future<Void> outcome = checkpoint(archive("gone.tar"), LONG, abandon.future());
    Await.until("the CRI call to reach containerd",
        () -> containerd.events().contains("CheckpointContainer"));
    abandon.complete();

    assertThat(runtimeFailure(outcome).code()).isEqualTo("Canceled");
    assertLetRunAndCleanedUp();
  }

  /** containerd's CRI call was not reset (that leaves the container paused); what it wrote goes. */
  private void assertLetRunAndCleanedUp() throws IOException {
    assertThat(containerd.events()).doesNotContain("CheckpointContainer reset", "Tasks.Checkpoint");
    containerd.releaseCriCheckpoints();
    Await.until("the late archive to be removed", () -> {
      try {
        return checkpointDirectory().isEmpty();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThat(containerd.events()).doesNotContain("CheckpointContainer reset");
  }
}
