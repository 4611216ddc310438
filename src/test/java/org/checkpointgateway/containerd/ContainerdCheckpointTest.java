package org.checkpointgateway.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real checkpoints of real containers through {@code POST /checkpoint/...} on containerd 1.6,
 * which lacks CRI CheckpointContainer: the gateway falls back to containerd's task API.
 */
class ContainerdCheckpointTest {

  static final long MIB = 1 << 20;

  @TempDir
  Path dir;
  Vertx vertx;
  ContainerdPeer containerd;
  GatewayFixture gateway;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    containerd = ContainerdPeer.connect(vertx, dir.resolve("logs"));
    gateway = GatewayFixture.withoutRuntime(vertx, dir);
    gateway.startGateway(gateway.settings()
        .override("criEndpoint", containerd.endpoint(), "--cri-endpoint"));
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (containerd != null) {
      containerd.close();
    }
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  /** A pod whose container touched {@code mib} MiB and has started counting. */
  ContainerdPeer.Pod memhog(String pod, long mib) {
    ContainerdPeer.Pod running = containerd.runPod("team-a", pod, "hog",
        List.of("/bin/memhog", Long.toString(mib)));
    Await.until("the container to touch its memory and count",
        () -> ContainerdPeer.lastCount(running.log()) >= 2);
    return running;
  }

  @Test
  void checkpointsARealContainerIntoAnArchiveInContainerd2Layout() throws IOException {
    ContainerdPeer.Pod pod = memhog("hog-" + System.nanoTime() % 100000, 200);

    HttpAnswer answer = gateway.post("/checkpoint/team-a/" + pod.name() + "/hog",
        gateway.adminToken());

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    Path archive = Path.of(new JsonObject(answer.body()).getJsonArray("items").getString(0));
    assertThat(gateway.archives()).containsExactly(archive);
    assertThat(Files.getPosixFilePermissions(archive))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    Map<String, byte[]> small = new LinkedHashMap<>();
    Map<String, Long> sizes = new LinkedHashMap<>();
    readArchive(archive, small, sizes);

    assertThat(sizes).containsKeys("config.dump", "spec.dump", "status.dump", "stats-dump",
        "dump.log", "container.log", "checkpoint/", "checkpoint/inventory.img", "checkpoint/pstree.img",
        "checkpoint/descriptors.json");
    JsonObject config = new JsonObject(new String(small.get("config.dump")));
    assertThat(config.getString("id")).isEqualTo(pod.containerId());
    assertThat(config.getString("name"))
        .isEqualTo("hog_" + pod.name() + "_team-a_" + pod.uid() + "_0");
    assertThat(config.getString("rootfsImage")).isEqualTo(containerd.image);
    assertThat(config.getString("rootfsImageName")).isEqualTo(containerd.image);
    assertThat(config.getString("rootfsImageRef")).startsWith("sha256:");
    assertThat(config.getString("runtime")).isEqualTo("io.containerd.runc.v2");
    assertThat(config.getString("createdTime")).matches("\\d{4}-.*Z");
    assertThat(config.getString("checkpointedTime")).matches("\\d{4}-.*Z");
    JsonObject spec = new JsonObject(new String(small.get("spec.dump")));
    JsonObject annotations = spec.getJsonObject("annotations");
    assertThat(annotations.getString("io.kubernetes.cri.container-name")).isEqualTo("hog");
    assertThat(annotations.getString("io.kubernetes.cri.sandbox-name")).isEqualTo(pod.name());
    assertThat(annotations.getString("io.kubernetes.cri.sandbox-namespace")).isEqualTo("team-a");
    assertThat(spec.getJsonObject("process").getJsonArray("args").getList())
        .containsExactly("/bin/memhog", "200");
    JsonObject status = new JsonObject(new String(small.get("status.dump")));
    assertThat(status.getString("id")).isEqualTo(pod.containerId());
    assertThat(status.getJsonObject("labels").getString("io.kubernetes.pod.namespace"))
        .isEqualTo("team-a");

    // The memory itself: what the process touched, give or take its binary, stack and libc.
    long pages = sizes.entrySet().stream()
        .filter(e -> e.getKey().matches("checkpoint/pages-\\d+\\.img"))
        .mapToLong(Map.Entry::getValue).sum();
    assertThat(pages).isBetween(200 * MIB, 210 * MIB);
    DumpStats stats = DumpStats.parse(small.get("stats-dump"));
    assertThat(stats.pagesWritten() * 4096).isEqualTo(pages);
    assertThat(stats.pagesScanned()).isGreaterThanOrEqualTo(stats.pagesWritten());
    assertThat(stats.freezingTimeMicros()).isPositive();
    assertThat(stats.memdumpTimeMicros()).isPositive();

    // The container kept running (leave-running) and no work files are left.
    assertThat(Await.result(containerd.running(pod.containerId()))).isTrue();
    long before = ContainerdPeer.lastCount(pod.log());
    Await.until("the container to keep counting", () -> ContainerdPeer.lastCount(pod.log()) > before);
  }

  @Test
  void theArchiveRestoresIntoAProcessThatCountsOnFromItsCheckpoint() throws Exception {
    ContainerdPeer.Pod pod = memhog("again-" + System.nanoTime() % 100000, 64);
    long countedBefore = ContainerdPeer.lastCount(pod.log());

    HttpAnswer answer = gateway.post("/checkpoint/team-a/" + pod.name() + "/hog",
        gateway.adminToken());
    long countedAfter = ContainerdPeer.lastCount(pod.log());

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    Path archive = Path.of(new JsonObject(answer.body()).getJsonArray("items").getString(0));
    Path rootfs = containerd.state.resolve("io.containerd.runtime.v2.task/k8s.io")
        .resolve(pod.containerId()).resolve("rootfs");
    try (RuncRestore restored = RuncRestore.restore(archive, rootfs, containerd.criu,
        Files.createDirectories(dir.resolve("restore")))) {
      Await.until("the restored process to count", () -> counts(restored).size() >= 3);
      List<Long> counts = counts(restored);
      // It goes on from the count it had at the checkpoint, not from 1.
      assertThat(counts.get(0)).isBetween(countedBefore, countedAfter + 1);
      assertThat(counts).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void aDeadlineDuringTheTaskCheckpointStopsItAndLeavesNothing() {
    ContainerdPeer.Pod pod = memhog("deadline-" + System.nanoTime() % 100000, 1024);

    // A 1 GiB dump takes about two seconds here: the deadline passes while CRIU works.
    HttpAnswer answer = gateway.post("/checkpoint/team-a/" + pod.name() + "/hog?timeout=1",
        gateway.adminToken());

    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.body()).isEqualTo("checkpointing of team-a/" + pod.name() + "/hog failed "
        + "(rpc error: code = DeadlineExceeded desc = context deadline exceeded)");
    assertLeftNothingAndKeptRunning(pod);
  }

  @Test
  void aCallerThatGoesAwayStopsTheTaskCheckpointAndLeavesNothing() {
    ContainerdPeer.Pod pod = memhog("gone-" + System.nanoTime() % 100000, 512);
    var net = vertx.createNetClient();
    var socket = Await.result(net.connect(gateway.gateway.port(), "127.0.0.1"));
    Await.result(socket.write("POST /checkpoint/team-a/" + pod.name() + "/hog HTTP/1.1\r\n"
        + "Host: localhost\r\nAuthorization: Bearer " + gateway.adminToken()
        + "\r\nContent-Length: 0\r\n\r\n"));
    Await.until("CRIU to start writing images", () -> gateway.archives().stream()
        .anyMatch(file -> file.getFileName().toString().endsWith(".work")
            && Files.isDirectory(file.resolve("checkpoint"))));
    Await.result(socket.close());

    assertLeftNothingAndKeptRunning(pod);
    Await.result(net.close());
  }

  /** No archive, work directory or partial file, now or a while later; the container runs. */
  private void assertLeftNothingAndKeptRunning(ContainerdPeer.Pod pod) {
    Await.until("the work files to be removed", () -> gateway.archives().isEmpty());
    // CRIU was stopped, not just abandoned: the container is not left frozen, it counts on,
    // and nothing reappears meanwhile.
    long now = ContainerdPeer.lastCount(pod.log());
    Await.until("the container to count on", () -> ContainerdPeer.lastCount(pod.log()) > now + 20);
    assertThat(gateway.archives()).isEmpty();
    assertThat(Await.result(containerd.running(pod.containerId()))).isTrue();
  }

  private static List<Long> counts(RuncRestore restored) {
    try {
      return restored.counts();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Reads every member: the sizes of all, the bytes of the small ones. */
  static void readArchive(Path archive, Map<String, byte[]> small, Map<String, Long> sizes)
      throws IOException {
    try (InputStream file = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(file)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        sizes.put(entry.getName(), entry.getSize());
        if (!entry.getName().startsWith("checkpoint/pages-")) {
          small.put(entry.getName(), tar.readAllBytes());
        }
      }
    }
  }

  /** CRIU's DumpStatsEntry, read from a stats-dump image. */
  record DumpStats(long freezingTimeMicros, long frozenTimeMicros, long memdumpTimeMicros,
      long memwriteTimeMicros, long pagesScanned, long pagesWritten) {

    /**
     * A CRIU image: the magic of service images (0x55105940), the stats magic (0x57093306),
     * then one entry: a 32-bit little-endian size and a StatsEntry {dump = 1}.
     */
    static DumpStats parse(byte[] image) throws IOException {
      ByteBuffer header = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
      assertThat(header.getInt()).as("service image magic").isEqualTo(0x55105940);
      assertThat(header.getInt()).as("stats magic").isEqualTo(0x57093306);
      int size = header.getInt();
      CodedInputStream stats = CodedInputStream.newInstance(image, 12, size);
      long[] fields = new long[8];
      int tag;
      while ((tag = stats.readTag()) != 0) {
        if (tag >>> 3 == 1) { // dump
          CodedInputStream dump = CodedInputStream.newInstance(stats.readByteArray());
          int field;
          while ((field = dump.readTag()) != 0) {
            int number = field >>> 3;
            if (number < fields.length && (field & 7) == 0) {
              fields[number] = dump.readUInt64();
            } else {
              dump.skipField(field);
            }
          }
        } else {
          stats.skipField(tag);
        }
      }
      return new DumpStats(fields[1], fields[2], fields[3], fields[4], fields[5], fields[7]);
    }
  }
}
