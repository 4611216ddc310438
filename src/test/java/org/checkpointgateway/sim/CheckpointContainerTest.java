package org.checkpointgateway.sim;

import org.checkpointgateway.support.Fifo;
import org.checkpointgateway.support.StrictVertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.checkpointgateway.sim.SimTesting.await;
import static org.checkpointgateway.sim.SimTesting.call;
import static org.checkpointgateway.sim.SimTesting.eventually;

import com.google.protobuf.CodedInputStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.impl.GrpcClientImpl;
import io.vertx.grpc.common.GrpcStatus;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.checkpointgateway.sim.CheckpointObservation.Outcome;
import org.checkpointgateway.sim.SimTesting.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import runtime.v1.CheckpointContainerRequest;
import runtime.v1.CheckpointContainerResponse;
import runtime.v1.RuntimeServiceGrpcClient;

class CheckpointContainerTest {

  // 160 MiB/s: an 8 MiB container takes 50 ms, a 32 MiB one 200 ms alone.
  private static final String SEED = """
      bandwidthBytesPerSecond: 167772160
      pagesCapBytes: 262144
      pods:
        - namespace: default
          name: demo
          uid: demo-uid
          containers:
            - name: small
              memoryBytes: 8388608
            - name: big1
              memoryBytes: 33554432
            - name: big2
              memoryBytes: 33554432
            - name: slow
              memoryBytes: 1048576
              checkpointSeconds: 30
            - name: broken
              fail: "UNKNOWN: CRIU dump failed"
            - name: gone
              fail: "UNAVAILABLE: runtime restarting"
            - name: done
              state: exited
      """;

  @TempDir
  Path dir;
  private Vertx vertx;
  private GrpcClient client;
  private SimulatedRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    vertx = SimTesting.vertx();
    client = GrpcClient.client(vertx);
    runtime = await(SimulatedRuntime.start(vertx, SimulatorSeed.parse(SEED, "test"), dir.resolve("cri.sock")));
  }

  @AfterEach
  void stop() throws Exception {
    await(runtime.close());
    await(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  @Test
  void aStandInThatBlocksHoldsUpNoOtherCheckpoint() throws Exception {
    // Stand-ins are made in batches on workers: one stuck open (a FIFO with no reader) must not
    // stop the stand-ins asked for after it.
    await(runtime.close());
    runtime = await(SimulatedRuntime.start(vertx, SimulatorSeed.parse(
        "instantCheckpoints: true\nwriteArchives: false\n" + SEED, "test"), dir.resolve("cri.sock")));
    Path fifo = Fifo.make(dir.resolve("fifo.tar"));
    Future<Answer<CheckpointContainerResponse>> stuck = checkpoint("small", fifo.toString(), 0);
    await(eventually(vertx, () -> runtime.activeCheckpoints() == 1));

    Path archive = dir.resolve("after.tar");
    Answer<CheckpointContainerResponse> answer = await(checkpoint("big1", archive.toString(), 0));

    assertThat(answer.status()).isEqualTo(GrpcStatus.OK);
    assertThat(archive).isRegularFile().isEmptyFile();
    assertThat(stuck.isComplete()).isFalse();
    // A reader on the other end lets the stuck open through: that checkpoint completes too.
    new java.io.FileInputStream(fifo.toFile()).close();
    assertThat(await(stuck).status()).isEqualTo(GrpcStatus.OK);
  }

  @Test
  void aCompletedCheckpointLeavesAnArchiveLikeTheRuntimes() throws Exception {
    Path archive = dir.resolve("checkpoint-demo_default-small.tar");

    Answer<CheckpointContainerResponse> answer = await(checkpoint("small", archive.toString(), 0));

    assertThat(answer.status()).isEqualTo(GrpcStatus.OK);
    assertThat(Files.getPosixFilePermissions(archive)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    Map<String, byte[]> members = members(archive);
    assertThat(members.keySet()).containsExactly("config.dump", "spec.dump", "checkpoint/", "checkpoint/inventory.img",
        "checkpoint/pages-1.img", "stats-dump", "dump.log");
    assertThat(members.get("checkpoint/pages-1.img")).hasSize(262144);
    assertThat(members.get("checkpoint/pages-1.img")).satisfies(pages -> assertThat(pages[1]).isNotEqualTo(pages[0]));
    String id = SimulatedRuntime.containerId("default", "demo", "small");
    JsonObject config = new JsonObject(Buffer.buffer(members.get("config.dump")));
    assertThat(config.getString("id")).isEqualTo(id);
    assertThat(config.getString("name")).isEqualTo("small");
    assertThat(config.fieldNames()).contains("rootfsImage", "rootfsImageRef", "rootfsImageName", "runtime",
        "createdTime", "checkpointedTime");
    JsonObject annotations = new JsonObject(Buffer.buffer(members.get("spec.dump"))).getJsonObject("annotations");
    assertThat(annotations.getMap()).containsEntry("io.kubernetes.pod.name", "demo")
        .containsEntry("io.kubernetes.pod.namespace", "default")
        .containsEntry("io.kubernetes.pod.uid", "demo-uid")
        .containsEntry("io.kubernetes.container.name", "small")
        .containsEntry("io.container.manager", "checkpoint-gateway-simulator");

    CheckpointObservation seen = await(runtime.checkpointEnded(archive.toString()));
    assertThat(seen.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(seen.bytesWritten()).isEqualTo(Files.size(archive));
    assertThat(seen.grpcTimeoutMillis()).isEqualTo(-1);
    // At least the 50 ms the bandwidth allows; ticks of a busy machine may add seconds to it.
    assertThat(seen.simulatedDuration().toMillis()).isBetween(45L, 5000L);
    assertThat(runtime.checkpointsCompleted()).isEqualTo(1);
    assertThat(runtime.activeCheckpoints()).isZero();

    ByteBuffer stats = ByteBuffer.wrap(members.get("stats-dump")).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(stats.getInt()).isEqualTo(0x55105940); // IMG_SERVICE_MAGIC
    assertThat(stats.getInt()).isEqualTo(0x57093306); // STATS_MAGIC
    int size = stats.getInt();
    assertThat(stats.remaining()).isEqualTo(size);
    Map<Integer, Long> dump = decodeDumpStats(CodedInputStream.newInstance(stats.array(), 12, size));
    long pages = 8388608 / 4096;
    assertThat(dump).containsEntry(5, pages).containsEntry(7, pages).containsEntry(6, 0L);
    assertThat(dump.get(2)).isEqualTo(seen.simulatedDuration().toNanos() / 1000);
    assertThat(dump.get(1) + dump.get(3) + dump.get(4)).isEqualTo(dump.get(2));
    ByteBuffer inventory = ByteBuffer.wrap(members.get("checkpoint/inventory.img")).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(inventory.getInt()).isEqualTo(0x58313116); // INVENTORY_MAGIC
  }

  @Test
  void anInstantCheckpointThatWritesNoArchiveAnswersAtOnceWithAnEmptyStandIn() throws Exception {
    // The load harness's overhead setting: only the path to the runtime is left to measure.
    await(runtime.close());
    runtime = await(SimulatedRuntime.start(vertx, SimulatorSeed.parse(
        "instantCheckpoints: true\nwriteArchives: false\n" + SEED, "test"), dir.resolve("cri.sock")));
    Path archive = dir.resolve("stand-in.tar");

    Answer<CheckpointContainerResponse> answer = await(checkpoint("big1", archive.toString(), 0));

    assertThat(answer.status()).isEqualTo(GrpcStatus.OK);
    // An empty file stands in the archive's place: callers check that what was reported exists.
    assertThat(archive).isRegularFile().isEmptyFile();
    // Made like an archive (0600), straight through NIO rather than Vert.x's file system.
    assertThat(Files.getPosixFilePermissions(archive)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    CheckpointObservation seen = await(runtime.checkpointEnded(archive.toString()));
    assertThat(seen.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(seen.simulatedDuration()).isZero();
    assertThat(runtime.maxActiveBytes()).isEqualTo(33554432);
    assertThat(runtime.activeCheckpoints()).isZero();

    Path missingDirectory = dir.resolve("gone").resolve("stand-in.tar");
    Answer<CheckpointContainerResponse> refused = await(checkpoint("big1", missingDirectory.toString(), 0));
    assertThat(refused.status()).isEqualTo(GrpcStatus.UNKNOWN);
    assertThat(refused.message()).isEqualTo("open " + missingDirectory + ": no such file or directory");
  }

  @Test
  void anInstantStandInThatCannotBeMadeStillEndsAtTheDeadline() throws Exception {
    // The stand-in's open blocks (a FIFO with no reader in its place): the worker waits, the
    // caller's deadline still answers, and the runtime's loop never blocks (StrictVertx).
    await(runtime.close());
    runtime = await(SimulatedRuntime.start(vertx, SimulatorSeed.parse(
        "instantCheckpoints: true\nwriteArchives: false\n" + SEED, "test"), dir.resolve("cri.sock")));
    Path fifo = Fifo.make(dir.resolve("fifo.tar"));

    Answer<CheckpointContainerResponse> answer = await(checkpoint("small", fifo.toString(), 300));
    CheckpointObservation seen = await(runtime.checkpointEnded(fifo.toString()));

    assertThat(answer.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(seen.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(seen.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(runtime.activeCheckpoints()).isZero();
    // Let the worker's open through: a reader on the other end.
    new java.io.FileInputStream(fifo.toFile()).close();
  }

  @Test
  void theArchiveGrowsWhileTheCheckpointRuns() throws Exception {
    Path archive = dir.resolve("growing.tar");
    GrpcClientRequest<CheckpointContainerRequest, CheckpointContainerResponse> request =
        await(client.request(address(), RuntimeServiceGrpcClient.CheckpointContainer));
    request.end(CheckpointContainerRequest.newBuilder()
        .setContainerId(SimulatedRuntime.containerId("default", "demo", "slow"))
        .setLocation(archive.toString()).build());

    await(eventually(vertx, () -> size(archive) > 0));
    long first = size(archive);
    // 1 MiB of pages over 30 s: 8 KiB steps arrive about every quarter second.
    await(eventually(vertx, () -> size(archive) > first));

    assertThat(runtime.activeCheckpoints()).isEqualTo(1);
    request.cancel();
    assertThat(await(runtime.checkpointEnded(archive.toString())).outcome()).isEqualTo(Outcome.CANCELLED);
  }

  @Test
  void refusalsAnswerTheRuntimesStatuses() throws Exception {
    String location = dir.resolve("x.tar").toString();

    Answer<?> notFound = await(checkpoint("nope", location, 0, "feed"));
    Answer<?> exited = await(checkpoint("done", location, 0));
    Answer<?> broken = await(checkpoint("broken", location, 0));
    Answer<?> gone = await(checkpoint("gone", location, 0));
    Answer<?> noLocation = await(checkpoint("small", "", 0));
    Answer<?> noParent = await(checkpoint("small", dir.resolve("missing/x.tar").toString(), 0));

    assertThat(notFound.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(notFound.message()).isEqualTo("an error occurred when try to find container \"feed\": not found");
    assertThat(exited.status()).isEqualTo(GrpcStatus.UNKNOWN);
    assertThat(exited.message()).isEqualTo("container " + SimulatedRuntime.containerId("default", "demo", "done")
        + " is not running (state: CONTAINER_EXITED)");
    assertThat(broken.status()).isEqualTo(GrpcStatus.UNKNOWN);
    assertThat(broken.message()).isEqualTo("CRIU dump failed");
    assertThat(gone.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(gone.message()).isEqualTo("runtime restarting");
    assertThat(noLocation.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(noParent.status()).isEqualTo(GrpcStatus.UNKNOWN);
    assertThat(noParent.message()).isEqualTo("open " + dir.resolve("missing/x.tar") + ": no such file or directory");
    assertThat(Files.exists(Path.of(location))).isFalse();
    // A call is recorded once its answer is out and its leftovers are gone: a moment after the
    // client has the answer.
    org.checkpointgateway.support.Await.until("six failures recorded",
        () -> runtime.checkpointsFailed() == 6);
    assertThat(runtime.checkpointsCompleted()).isZero();
    assertThat(runtime.observations()).extracting(CheckpointObservation::outcome).containsOnly(Outcome.FAILED);
  }

  @Test
  void unimplementedAnswersLikeContainerd16() throws Exception {
    runtime.setUnimplemented(true);
    Answer<?> off = await(checkpoint("small", dir.resolve("a.tar").toString(), 0));
    runtime.setUnimplemented(false);
    Answer<?> on = await(checkpoint("small", dir.resolve("b.tar").toString(), 0));

    assertThat(off.status()).isEqualTo(GrpcStatus.UNIMPLEMENTED);
    assertThat(off.message()).isEqualTo("method CheckpointContainer not implemented");
    assertThat(on.status()).isEqualTo(GrpcStatus.OK);
  }

  @Test
  void aClientCancelStopsTheCheckpointAndDeletesTheArchive() throws Exception {
    Path archive = dir.resolve("cancelled.tar");
    GrpcClientRequest<CheckpointContainerRequest, CheckpointContainerResponse> request =
        await(client.request(address(), RuntimeServiceGrpcClient.CheckpointContainer));
    request.end(CheckpointContainerRequest.newBuilder()
        .setContainerId(SimulatedRuntime.containerId("default", "demo", "slow"))
        .setLocation(archive.toString()).setTimeout(60).build());
    await(eventually(vertx, () -> Files.exists(archive) && runtime.activeCheckpoints() == 1));

    request.cancel();
    CheckpointObservation seen = await(runtime.checkpointEnded(archive.toString()));

    assertThat(seen.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(seen.status()).isEqualTo(GrpcStatus.CANCELLED);
    assertThat(seen.requestTimeoutSeconds()).isEqualTo(60);
    assertThat(seen.bytesWritten()).isPositive();
    assertThat(Files.exists(archive)).isFalse();
    assertThat(runtime.checkpointsCancelled()).isEqualTo(1);
    assertThat(runtime.activeCheckpoints()).isZero();
  }

  @Test
  void aClosedClientConnectionStopsTheCheckpoint() throws Exception {
    Path archive = dir.resolve("vanished.tar");
    Vertx other = SimTesting.vertx();
    GrpcClient vanishing = GrpcClient.client(other);
    GrpcClientRequest<CheckpointContainerRequest, CheckpointContainerResponse> request =
        await(vanishing.request(address(), RuntimeServiceGrpcClient.CheckpointContainer));
    request.end(request("slow", archive.toString()));
    await(eventually(vertx, () -> Files.exists(archive) && runtime.activeCheckpoints() == 1));

    await(other.close());
    CheckpointObservation seen = await(runtime.checkpointEnded(archive.toString()));

    assertThat(seen.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(Files.exists(archive)).isFalse();
  }

  @Test
  void theGrpcTimeoutIsADeadline() throws Exception {
    Path archive = dir.resolve("late.tar");

    Answer<?> answer = await(checkpoint("slow", archive.toString(), 300));
    CheckpointObservation seen = await(runtime.checkpointEnded(archive.toString()));

    assertThat(answer.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(seen.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(seen.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(seen.grpcTimeoutMillis()).isEqualTo(300);
    // Stopped by the 300 ms deadline, not run to the 30 s "slow" takes; a timer on a loaded
    // 2-core machine may fire a second late.
    assertThat(seen.simulatedDuration().toMillis()).isBetween(1L, 1300L);
    assertThat(Files.exists(archive)).isFalse();
    assertThat(runtime.checkpointsCancelled()).isEqualTo(1);
  }

  @Test
  void aClientSideDeadlineResetsTheStreamAndTheRuntimeNotices() throws Exception {
    Path archive = dir.resolve("client-deadline.tar");
    GrpcClient scheduling = GrpcClient.client(vertx,
        new io.vertx.grpc.client.GrpcClientOptions().setScheduleDeadlineAutomatically(true));

    Answer<?> answer = await(call(scheduling, runtime.socketPath(), RuntimeServiceGrpcClient.CheckpointContainer,
        request("slow", archive.toString()), r -> r.timeout(200, TimeUnit.MILLISECONDS))
        .recover(e -> Future.succeededFuture(new Answer<>(GrpcStatus.CANCELLED, e.getMessage(), null))));
    CheckpointObservation seen = await(runtime.checkpointEnded(archive.toString()));

    // Client timer and server deadline race; either way the runtime stops and deletes.
    assertThat(answer.status()).isIn(GrpcStatus.CANCELLED, GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(seen.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(Files.exists(archive)).isFalse();
    await(scheduling.close());
  }

  @Test
  void theRequestTimeoutFieldIsADeadlineToo() throws Exception {
    Path archive = dir.resolve("field.tar");

    Answer<?> answer = await(call(client, runtime.socketPath(), RuntimeServiceGrpcClient.CheckpointContainer,
        request("slow", archive.toString()).toBuilder().setTimeout(1).build()));

    assertThat(answer.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(await(runtime.checkpointEnded(archive.toString())).requestTimeoutSeconds()).isEqualTo(1);
    assertThat(Files.exists(archive)).isFalse();
  }

  @Test
  void concurrentCheckpointsShareTheBandwidth() throws Exception {
    await(checkpoint("big1", dir.resolve("alone.tar").toString(), 0));
    long alone = await(runtime.checkpointEnded(dir.resolve("alone.tar").toString())).simulatedDuration().toNanos();

    await(Future.all(checkpoint("big1", dir.resolve("one.tar").toString(), 0),
        checkpoint("big2", dir.resolve("two.tar").toString(), 0)));
    long one = await(runtime.checkpointEnded(dir.resolve("one.tar").toString())).simulatedDuration().toNanos();
    long two = await(runtime.checkpointEnded(dir.resolve("two.tar").toString())).simulatedDuration().toNanos();

    // Generous bounds: ticks of a loaded machine overshoot, and the two calls arrive a moment apart.
    assertThat(alone / 1e6).isBetween(190.0, 2000.0);
    assertThat((double) one / alone).isBetween(1.4, 2.6);
    assertThat((double) two / alone).isBetween(1.4, 2.6);
    assertThat(runtime.checkpointsCompleted()).isEqualTo(3);
  }

  @Test
  void closingStopsRunningCheckpointsAndAnswersUnavailable() throws Exception {
    Path archive = dir.resolve("shutdown.tar");
    Future<Answer<CheckpointContainerResponse>> answer = checkpoint("slow", archive.toString(), 0);
    await(eventually(vertx, () -> Files.exists(archive)));

    await(runtime.close());

    assertThat(await(answer).status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(Files.exists(archive)).isFalse();
    assertThat(runtime.checkpointsCancelled()).isEqualTo(1);
    runtime = await(SimulatedRuntime.start(vertx, SimulatorSeed.parse(SEED, "test"), runtime.socketPath()));
  }

  @Test
  void theAuthorityTheClientSentIsRecorded() throws Exception {
    Path archive = dir.resolve("authority.tar");
    // The generated stubs cannot set a host; the raw client can, as the gateway's CRI client does.
    GrpcClientRequest<Buffer, Buffer> request = await(((GrpcClientImpl) client).request(new RequestOptions()
        .setMethod(HttpMethod.POST).setServer(address()).setHost("localhost")));
    request.fullMethodName("runtime.v1.RuntimeService/CheckpointContainer");
    request.end(Buffer.buffer(request("unknown", archive.toString()).toByteArray()));
    await(request.response().compose(r -> r.end().recover(e -> Future.succeededFuture())));

    assertThat(await(runtime.checkpointEnded(archive.toString())).authority()).startsWith("localhost");
  }

  private SocketAddress address() {
    return SocketAddress.domainSocketAddress(runtime.socketPath().toString());
  }

  private static CheckpointContainerRequest request(String container, String location) {
    return CheckpointContainerRequest.newBuilder()
        .setContainerId(SimulatedRuntime.containerId("default", "demo", container))
        .setLocation(location).build();
  }

  private Future<Answer<CheckpointContainerResponse>> checkpoint(String container, String location, long timeoutMillis) {
    return checkpoint(container, location, timeoutMillis, SimulatedRuntime.containerId("default", "demo", container));
  }

  private Future<Answer<CheckpointContainerResponse>> checkpoint(String container, String location, long timeoutMillis,
                                                                 String id) {
    return call(client, runtime.socketPath(), RuntimeServiceGrpcClient.CheckpointContainer,
        CheckpointContainerRequest.newBuilder().setContainerId(id).setLocation(location).build(),
        r -> {
          if (timeoutMillis > 0) {
            r.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
          }
        });
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static Map<String, byte[]> members(Path archive) throws Exception {
    Map<String, byte[]> members = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(archive); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        members.put(entry.getName(), tar.readAllBytes());
      }
    }
    return members;
  }

  /** Field number to value of StatsEntry.dump (all its fields are varints). */
  private static Map<Integer, Long> decodeDumpStats(CodedInputStream statsEntry) throws Exception {
    int tag = statsEntry.readTag();
    assertThat(tag >>> 3).isEqualTo(1);
    CodedInputStream dump = CodedInputStream.newInstance(statsEntry.readByteArray());
    Map<Integer, Long> fields = new LinkedHashMap<>();
    while ((tag = dump.readTag()) != 0) {
      fields.put(tag >>> 3, dump.readUInt64());
    }
    return fields;
  }
}
