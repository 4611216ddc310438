package org.checkpointgateway.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.checkpointgateway.support.ArchiveLayout;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real checkpoints of real containers through {@code POST /checkpoint/...} on each containerd test
 * peer: containerd 1.6, which lacks CRI CheckpointContainer, so the gateway falls back to
 * containerd's task API and writes the archive itself; and containerd 2.x, whose CRI
 * CheckpointContainer writes the archive, so the task API must not be touched.
 */
class ContainerdCheckpointTest {

  static final long MIB = 1 << 20;
  static final String CRI = "runtime.v1.RuntimeService";
  static final String TASKS = "containerd.services.tasks.v1.Tasks";

  @Nested
  class OnContainerd16 extends Cases {

    OnContainerd16() {
      super(ContainerdPeer.Version.V1_6);
    }

    @Override
    void assertWentThrough(Calls before, Calls after, String gatewayMetrics) {
      // The CRI call answered UNIMPLEMENTED once, then the task API checkpointed.
      assertThat(after.minus(before)).isEqualTo(new Calls(Map.of("Unimplemented", 1L),
          Map.of("OK", 1L)));
      assertThat(gatewayMetrics).contains(
          "cri_call_duration_seconds_count{code=\"Unimplemented\",method=\"CheckpointContainer\"} 1\n");
    }

    @Override
    boolean runtimeEnded(Calls since) {
      return !since.taskCheckpoint().isEmpty();
    }
  }

  @Nested
  class OnContainerd2 extends Cases {

    OnContainerd2() {
      super(ContainerdPeer.Version.V2);
    }

    @Override
    void assertWentThrough(Calls before, Calls after, String gatewayMetrics) {
      // containerd counts every call on its socket: one CRI CheckpointContainer, no task API.
      assertThat(after.minus(before)).isEqualTo(new Calls(Map.of("OK", 1L), Map.of()));
      assertThat(gatewayMetrics).contains(
          "cri_call_duration_seconds_count{code=\"OK\",method=\"CheckpointContainer\"} 1\n");
      assertThat(gatewayMetrics).doesNotContain("code=\"Unimplemented\"");
    }

    @Override
    boolean runtimeEnded(Calls since) {
      return !since.criCheckpoint().isEmpty();
    }
  }

  /** containerd's own counts of CRI CheckpointContainer and task Checkpoint calls, by code. */
  record Calls(Map<String, Long> criCheckpoint, Map<String, Long> taskCheckpoint) {

    static Calls of(ContainerdPeer containerd) {
      return new Calls(containerd.served(CRI, "CheckpointContainer"),
          containerd.served(TASKS, "Checkpoint"));
    }

    Calls minus(Calls before) {
      return new Calls(minus(criCheckpoint, before.criCheckpoint),
          minus(taskCheckpoint, before.taskCheckpoint));
    }

    private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
      Map<String, Long> delta = new TreeMap<>();
      after.forEach((code, count) -> {
        long more = count - before.getOrDefault(code, 0L);
        if (more != 0) {
          delta.put(code, more);
        }
      });
      return delta;
    }
  }

  abstract class Cases {

    final ContainerdPeer.Version version;
    @TempDir
    Path dir;
    Vertx vertx;
    ContainerdPeer containerd;
    GatewayFixture gateway;

    Cases(ContainerdPeer.Version version) {
      this.version = version;
    }

    /**
     * That one checkpoint, between {@code before} and {@code after}, took this peer's path;
     * {@code gatewayMetrics} is the gateway's {@code /metrics} after it.
     */
    abstract void assertWentThrough(Calls before, Calls after, String gatewayMetrics);

    /** Whether containerd's call that does this peer's checkpoint has ended, by calls since. */
    abstract boolean runtimeEnded(Calls since);

    @BeforeEach
    void start() {
      vertx = StrictVertx.create();
      containerd = ContainerdPeer.connect(vertx, version, dir.resolve("logs"));
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
    void checkpointsARealContainerIntoAnArchiveTheRealClientsRead() throws IOException {
      containerd.requireCriuDump();
      ContainerdPeer.Pod pod = memhog("hog-" + System.nanoTime() % 100000, 200);
      Calls before = Calls.of(containerd);

      HttpAnswer answer = gateway.post("/checkpoint/team-a/" + pod.name() + "/hog",
          gateway.adminToken());

      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      String metrics = gateway.send(HttpMethod.GET, "/metrics",
          gateway.token("prometheus", "metrics:read")).body();
      assertWentThrough(before, Calls.of(containerd), metrics);
      // As the kubelet counts it, whichever way containerd took (1.6: UNIMPLEMENTED, then the
      // task API): one runtime operation, no error. The node e2e test asserts exactly this.
      assertThat(metrics).contains(
          "kubelet_runtime_operations_total{operation_type=\"checkpoint_container\"} 1.0\n",
          "kubelet_runtime_operations_errors_total{operation_type=\"checkpoint_container\"} 0.0\n");
      Path archive = Path.of(new JsonObject(answer.body()).getJsonArray("items").getString(0));
      assertThat(gateway.archives()).containsExactly(archive);
      assertThat(Files.getPosixFilePermissions(archive))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      ArchiveLayout.assertReadableByKubeletClients(archive, "team-a", pod.name(), "hog");
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
      long counted = ContainerdPeer.lastCount(pod.log());
      Await.until("the container to keep counting", () -> ContainerdPeer.lastCount(pod.log()) > counted);
      assertThat(gateway.archives()).containsExactly(archive);
    }

    @Test
    void theArchiveRestoresIntoAProcessThatCountsOnFromItsCheckpoint() throws Exception {
      containerd.requireCriuDump();
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
    void aDeadlineDuringTheCheckpointLeavesNothingAndTheContainerRunning() {
      containerd.requireCriuDump();
      ContainerdPeer.Pod pod = memhog("deadline-" + System.nanoTime() % 100000, 1024);
      Calls before = Calls.of(containerd);

      // A 1 GiB dump takes about two seconds here: the deadline passes while CRIU works.
      HttpAnswer answer = gateway.post("/checkpoint/team-a/" + pod.name() + "/hog?timeout=1",
          gateway.adminToken());

      assertThat(answer.status()).isEqualTo(500);
      assertThat(answer.body()).isEqualTo("checkpointing of team-a/" + pod.name() + "/hog failed "
          + "(rpc error: code = DeadlineExceeded desc = context deadline exceeded)");
      assertLeftNothingAndKeptRunning(pod, before);
    }

    @Test
    void aCallerThatGoesAwayLeavesNothingAndTheContainerRunning() {
      containerd.requireCriuDump();
      ContainerdPeer.Pod pod = memhog("gone-" + System.nanoTime() % 100000, 512);
      Calls before = Calls.of(containerd);
      var net = vertx.createNetClient();
      var socket = Await.result(net.connect(gateway.gateway.port(), "127.0.0.1"));
      Await.result(socket.write("POST /checkpoint/team-a/" + pod.name() + "/hog HTTP/1.1\r\n"
          + "Host: localhost\r\nAuthorization: Bearer " + gateway.adminToken()
          + "\r\nContent-Length: 0\r\n\r\n"));
      Await.until("CRIU to start dumping", this::criuRunning);
      Await.result(socket.close());

      assertLeftNothingAndKeptRunning(pod, before);
      Await.result(net.close());
    }

    /** Whether the peers' CRIU runs now: both take it from the setup's cache, nobody else does. */
    private boolean criuRunning() {
      try (var procs = Files.list(Path.of("/proc"))) {
        return procs.filter(proc -> proc.getFileName().toString().matches("\\d+"))
            .anyMatch(proc -> {
              try {
                return Files.readSymbolicLink(proc.resolve("exe")).equals(containerd.criu);
              } catch (IOException | UnsupportedOperationException e) {
                return false; // gone meanwhile, or a kernel thread
              }
            });
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    /**
     * Once containerd's call has ended: no archive, work directory or partial file, now or a
     * while later; the container runs. On 1.6 the gateway stops CRIU; on 2.x it lets containerd
     * finish (cutting it short leaves the container paused) and removes what it wrote. containerd
     * 2.x resumes the container before it writes the archive, and a 1 GiB checkpoint there took
     * up to 35 s on this 2-core machine under load.
     */
    private void assertLeftNothingAndKeptRunning(ContainerdPeer.Pod pod, Calls before) {
      // containerd's metrics are a 360 KB page: read them a few times a second only.
      Await.until("containerd's call to end", Duration.ofMinutes(2), Duration.ofMillis(250),
          () -> runtimeEnded(Calls.of(containerd).minus(before)));
      Await.until("the work files to be removed", () -> gateway.archives().isEmpty());
      // The container is not left frozen: it counts on, and nothing reappears meanwhile.
      long now = ContainerdPeer.lastCount(pod.log());
      Await.until("the container to count on", () -> ContainerdPeer.lastCount(pod.log()) > now + 20);
      assertThat(gateway.archives()).isEmpty();
      assertThat(Await.result(containerd.running(pod.containerId()))).isTrue();
    }
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
