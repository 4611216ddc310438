package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.checkpointgateway.config.Settings;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.MainProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint directory failing under a runtime of its own process: full (a 5 MiB tmpfs),
 * read-only (the tmpfs remounted), removed while checkpoints run. Callers get a clear answer,
 * readiness stays (the runtime is well), the gateway recovers when the fault ends, and no
 * partial archive is left.
 */
class CheckpointDirectoryFaultTest extends GatewayTestBase {

  static final long ARCHIVE_BYTES = 1536 * 1024;
  /** Archives of 1.5 MiB (the pages cap lets the whole memory through), written over a second. */
  static final String SEED = """
      pagesCapBytes: 2097152
      pods:
        - namespace: default
          name: disk
          containers:
            - {name: a, memoryBytes: %1$d, checkpointSeconds: 1}
            - {name: b, memoryBytes: %1$d, checkpointSeconds: 1}
            - {name: c, memoryBytes: %1$d, checkpointSeconds: 1}
            - {name: d, memoryBytes: %1$d, checkpointSeconds: 1}
            - {name: long, memoryBytes: %1$d, checkpointSeconds: 3}
            - {name: longer, memoryBytes: %1$d, checkpointSeconds: 3}
      """.formatted(ARCHIVE_BYTES);

  MainProcess runtime;
  boolean mounted;
  String token;

  @Override
  protected boolean runtimeAtStart() {
    return false;
  }

  @BeforeEach
  void startRuntime() {
    runtime = MainProcess.runtime(fixture.socket, SEED, dir);
  }

  @AfterEach
  void stopRuntimeAndUnmount() throws Exception {
    if (runtime != null) {
      runtime.close();
    }
    if (mounted) {
      // Lazily: the gateway may still hold the directory open while it stops.
      run("umount", "-l", fixture.checkpointDir.toString());
    }
  }

  /** A 5 MiB tmpfs as the checkpoint directory; skipped (saying why) where mounting is refused. */
  void mountSmallDisk() throws Exception {
    Files.createDirectories(fixture.checkpointDir);
    String refused = run("mount", "-t", "tmpfs", "-o", "size=5m,mode=0700", "tmpfs",
        fixture.checkpointDir.toString());
    Assumptions.assumeTrue(refused == null, "cannot mount a tmpfs here (needs root or "
        + "CAP_SYS_ADMIN): " + refused);
    mounted = true;
  }

  void startGateway() {
    fixture.startGateway(fixture.settings()
        .override("diskReserveBytes", "0", "--disk-reserve-bytes")
        .override("shutdownGrace", "0", "--shutdown-grace"));
    token = fixture.adminToken();
  }

  @Test
  void aFullDiskAdmitsOnlyWhatFitsBesideTheCheckpointsRunning() throws Exception {
    mountSmallDisk();
    startGateway();
    // Four at once, 6 MiB in all on 5 MiB: each alone would fit, together they cannot.
    List<Future<HttpAnswer>> answers = new ArrayList<>();
    for (String container : List.of("a", "b", "c", "d")) {
      answers.add(post("/checkpoint/default/disk/" + container));
    }
    List<HttpAnswer> answered = answers.stream().map(Await::result).toList();
    assertThat(answered).extracting(HttpAnswer::status).containsOnly(200, 507)
        .filteredOn(status -> status == 200).hasSize(3);
    HttpAnswer refused = answered.stream().filter(a -> a.status() == 507).findFirst().orElseThrow();
    assertThat(refused.body()).startsWith("not enough space in " + fixture.checkpointDir
        + " for the archive: ").contains("held for the checkpoints running");
    // The disk is now full of the three: the next one is refused before the runtime is called.
    assertThat(fixture.post("/checkpoint/default/disk/a", token).status()).isEqualTo(507);
    assertThat(readiness()).isEqualTo(200);
    assertThat(fixture.archives()).hasSize(3).allSatisfy(archive ->
        assertThat(Files.size(archive)).isGreaterThanOrEqualTo(ARCHIVE_BYTES));

    // The fault ends: room is made, and once the free space is read again (at most a second
    // later) a checkpoint succeeds.
    for (Path archive : fixture.archives()) {
      Files.delete(archive);
    }
    Await.until("a checkpoint to fit again",
        () -> fixture.request(HttpMethod.POST, "/checkpoint/default/disk/d", token),
        answer -> answer.status() == 200);
    assertThat(fixture.archives()).hasSize(1);
  }

  @Test
  void aReadOnlyDirectoryFailsTheCheckpointWithWhatTheRuntimeSaid() throws Exception {
    mountSmallDisk();
    startGateway();
    assertThat(run("mount", "-o", "remount,ro", fixture.checkpointDir.toString())).isNull();

    HttpAnswer answer = fixture.post("/checkpoint/default/disk/a", token);
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.body()).startsWith("checkpointing of default/disk/a failed (rpc error: code = ")
        .contains("Read-only file system");
    assertThat(readiness()).isEqualTo(200);

    assertThat(run("mount", "-o", "remount,rw", fixture.checkpointDir.toString())).isNull();
    assertThat(fixture.post("/checkpoint/default/disk/a", token).status()).isEqualTo(200);
    assertThat(fixture.archives()).hasSize(1);
  }

  @Test
  void aDirectoryRemovedUnderRunningCheckpointsIsNeverAnswered200() throws Exception {
    startGateway();
    Future<HttpAnswer> first = post("/checkpoint/default/disk/long");
    Future<HttpAnswer> second = post("/checkpoint/default/disk/longer");
    Await.until("both archives to be begun", () -> fixture.archives().size() == 2);
    run("rm", "-rf", fixture.checkpointDir.toString());

    for (Future<HttpAnswer> answer : List.of(first, second)) {
      HttpAnswer answered = Await.result(answer);
      assertThat(answered.status()).isEqualTo(500);
      assertThat(answered.body()).matches("checkpointing of default/disk/long(er)? failed \\(the "
          + "runtime reported success but the archive " + fixture.checkpointDir
          + "/checkpoint-disk_default-long(er)?-[^ ]+\\.tar is missing \\(no such file or "
          + "directory\\)\\)");
    }
    assertThat(readiness()).isEqualTo(200);

    // The directory comes back with the next checkpoint, holding only its archive.
    assertThat(fixture.post("/checkpoint/default/disk/a", token).status()).isEqualTo(200);
    assertThat(fixture.archives()).hasSize(1);
  }

  Future<HttpAnswer> post(String uri) {
    return fixture.request(HttpMethod.POST, uri, token);
  }

  int readiness() {
    return fixture.send(HttpMethod.GET, "/readyz", null).status();
  }

  /** Runs a command; null when it succeeded, else its output. */
  static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return String.join(" ", command) + ": did not end in 30 s";
    }
    String output = new String(process.getInputStream().readAllBytes()).strip();
    return process.exitValue() == 0 ? null : String.join(" ", command) + ": " + output;
  }
}
