package org.checkpointgateway.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.HttpAnswer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures a real checkpoint through the gateway (containerd's task API plus our archive)
 * against {@code ctr tasks checkpoint --image-path} of the same container (CRIU's images only).
 * Not a test: runs only with {@code -DcontainerdBench=true} (see loadtest/containerd-checkpoint),
 * and writes its table to {@code target/containerd-checkpoint-bench.md}.
 */
class ContainerdCheckpointBench {

  static final long MIB = 1 << 20;

  @TempDir
  Path dir;
  Vertx vertx;
  ContainerdPeer containerd;
  GatewayFixture gateway;

  @BeforeEach
  void start() {
    assumeTrue(Boolean.getBoolean("containerdBench"), "a benchmark: run with -DcontainerdBench=true");
    // A measurement, not a test of the event loop: a plain Vert.x.
    vertx = Vertx.vertx();
    containerd = ContainerdPeer.connect(vertx, ContainerdPeer.Version.V1_6, dir.resolve("logs"));
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
    if (vertx != null) {
      Await.result(vertx.close());
    }
  }

  @Test
  void gatewayAgainstCtr() throws Exception {
    int rounds = Integer.getInteger("containerdBench.rounds", 3);
    List<String> rows = new ArrayList<>();
    rows.add("| memory | mechanism | median time (s) | archive or images (MiB) | MiB/s of memory |");
    rows.add("|---|---|---|---|---|");
    // Warm the JVM and make the gateway pick its mechanism (the CRI answers UNIMPLEMENTED once).
    ContainerdPeer.Pod warm = hog("warm", 16);
    Path warmArchive = checkpoint(warm);
    Files.delete(warmArchive);
    containerd.removePod(warm.sandboxId());
    for (long mib : new long[] {200, 1024}) {
      ContainerdPeer.Pod pod = hog("bench-" + mib, mib);
      List<Double> viaGateway = new ArrayList<>();
      List<Double> viaCtr = new ArrayList<>();
      long archiveBytes = 0;
      long imageBytes = 0;
      for (int round = 0; round < rounds; round++) {
        long started = System.nanoTime();
        Path archive = checkpoint(pod);
        viaGateway.add((System.nanoTime() - started) / 1e9);
        archiveBytes = Files.size(archive);
        Files.delete(archive);

        Path images = dir.resolve("ctr-" + mib + "-" + round);
        started = System.nanoTime();
        Process ctr = new ProcessBuilder("ctr", "-a", containerd.socket.toString(), "-n", "k8s.io",
            "tasks", "checkpoint", "--image-path", images.toString(), pod.containerId())
            .redirectErrorStream(true).start();
        assertThat(ctr.waitFor(120, TimeUnit.SECONDS)).isTrue();
        viaCtr.add((System.nanoTime() - started) / 1e9);
        assertThat(ctr.exitValue()).as(new String(ctr.getInputStream().readAllBytes())).isZero();
        imageBytes = size(images);
        deleteTree(images);
      }
      double gatewaySeconds = median(viaGateway);
      double ctrSeconds = median(viaCtr);
      rows.add(String.format("| %d MiB | gateway `POST /checkpoint` (task API + archive) | %.2f | %.0f | %.0f |",
          mib, gatewaySeconds, archiveBytes / (double) MIB, mib / gatewaySeconds));
      rows.add(String.format("| %d MiB | `ctr tasks checkpoint --image-path` | %.2f | %.0f | %.0f |",
          mib, ctrSeconds, imageBytes / (double) MIB, mib / ctrSeconds));
      containerd.removePod(pod.sandboxId());
    }
    String table = String.join("\n", rows) + "\n";
    System.out.println(table);
    Files.writeString(Path.of("target", "containerd-checkpoint-bench.md"), table);
  }

  private ContainerdPeer.Pod hog(String name, long mib) {
    ContainerdPeer.Pod pod = containerd.runPod("bench", name, "hog",
        List.of("/bin/memhog", Long.toString(mib)));
    Await.until("the container to touch its memory", () -> ContainerdPeer.lastCount(pod.log()) >= 1);
    return pod;
  }

  private Path checkpoint(ContainerdPeer.Pod pod) {
    HttpAnswer answer = gateway.post("/checkpoint/bench/" + pod.name() + "/hog?timeout=300",
        gateway.adminToken());
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return Path.of(new JsonObject(answer.body()).getJsonArray("items").getString(0));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static long size(Path tree) throws Exception {
    try (Stream<Path> files = Files.walk(tree)) {
      return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
    }
  }

  private static void deleteTree(Path tree) throws Exception {
    try (Stream<Path> files = Files.walk(tree)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
