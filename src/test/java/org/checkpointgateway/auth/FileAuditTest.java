package org.checkpointgateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.checkpointgateway.support.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log's file, its line format, and what a slow or failing disk costs. */
class FileAuditTest {

  @TempDir
  Path dir;

  @Test
  void appendsOneJsonLinePerRecordToAPrivateFile() throws IOException {
    Path file = dir.resolve("audit.jsonl");
    Files.writeString(file, "{\"earlier\":true}\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Audit audit = Audit.toFile(file, 1 << 20);
    Instant before = Instant.now();
    audit.record(new Caller("alice", List.of("*"), List.of("ops", "sre")), "checkpoint",
        "default/demo/app", "succeeded", 200);
    audit.record(new Caller("bob\n{\"forged\":1}", List.of()), "archive.download", "x\"y",
        "denied", 403);
    Await.until("two lines written", () -> audit.written() == 2);
    audit.close();

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3).first().isEqualTo("{\"earlier\":true}");
    JsonObject first = new JsonObject(lines.get(1));
    assertThat(first.fieldNames()).containsExactly("time", "user", "groups", "action", "target",
        "outcome", "status");
    assertThat(Instant.parse(first.getString("time"))).isBetween(before, Instant.now());
    assertThat(first.copy().put("time", "t")).isEqualTo(new JsonObject().put("time", "t")
        .put("user", "alice").put("groups", new JsonArray().add("ops").add("sre"))
        .put("action", "checkpoint").put("target", "default/demo/app")
        .put("outcome", "succeeded").put("status", 200));
    // A user name cannot forge a line: it is a JSON string on this one line.
    assertThat(new JsonObject(lines.get(2)).getString("user")).isEqualTo("bob\n{\"forged\":1}");
    assertThat(audit.dropped()).isZero();
  }

  @Test
  void newFilesAreReadableByTheGatewayOnly() throws IOException {
    Path file = dir.resolve("new.jsonl");
    Audit.toFile(file, 1 << 20).close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void refusesWhatIsNotARegularFile() throws Exception {
    Path fifo = dir.resolve("fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    // Opening a FIFO for writing would block until a reader comes: refused before opening.
    assertThatThrownBy(() -> Audit.toFile(fifo, 1 << 20)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> Audit.toFile(dir, 1 << 20)).isInstanceOf(IOException.class);
  }

  @Test
  void longFieldsAreCut() {
    String huge = "u".repeat(10_000);
    JsonObject line = new JsonObject(new String(FileAudit.line(new Caller(huge, List.of(),
        java.util.Collections.nCopies(100, huge)), "checkpoint", huge, "failed", 500),
        StandardCharsets.UTF_8));
    assertThat(line.getString("user")).hasSize(FileAudit.MAX_FIELD_CHARS + 3).endsWith("...");
    assertThat(line.getString("target")).hasSize(FileAudit.MAX_FIELD_CHARS + 3);
    assertThat(line.getJsonArray("groups")).hasSize(FileAudit.MAX_GROUPS);
  }

  @Test
  void aStalledDiskDropsAndCountsLinesBeyondTheBufferAndNeverBlocksTheRecorder()
      throws Exception {
    CountDownLatch diskBack = new CountDownLatch(1);
    CountDownLatch writing = new CountDownLatch(1);
    StringBuilder disk = new StringBuilder();
    WritableByteChannel stalled = new Channel() {
      @Override
      public int write(ByteBuffer src) throws IOException {
        writing.countDown();
        try {
          diskBack.await();
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        int n = src.remaining();
        byte[] bytes = new byte[n];
        src.get(bytes);
        synchronized (disk) {
          disk.append(new String(bytes, StandardCharsets.UTF_8));
        }
        return n;
      }
    };
    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    Handler capture = capture(warnings);
    FileAudit audit = FileAudit.over(dir.resolve("stalled"), stalled, 4096);
    try {
      Caller caller = new Caller("robot", List.of());
      audit.record(caller, "checkpoint", "default/demo/0", "succeeded", 200);
      assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
      // The writer is stuck in write(); 10,000 more records must neither block nor grow memory.
      long started = System.nanoTime();
      for (int i = 1; i <= 10_000; i++) {
        audit.record(caller, "checkpoint", "default/demo/" + i, "succeeded", 200);
      }
      // Blocking would be for ever (the writer never returns); the bound leaves room for a
      // loaded 2-core machine.
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(10_000);
      long kept = 10_000 - audit.dropped();
      // Lines are 140 to 160 bytes: the 4 KiB buffer holds 25 to 30 of them.
      assertThat(kept).isBetween(4096L / 170, 4096L / 130);
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0)).contains("line(s) dropped so far").contains("--audit-log-buffer");

      diskBack.countDown();
      Await.until("the buffered lines written", () -> audit.written() == 1 + kept);
      synchronized (disk) {
        assertThat(disk.toString().lines()).hasSize((int) (1 + kept));
      }
    } finally {
      diskBack.countDown();
      audit.close();
      Logger.getLogger(FileAudit.class.getName()).removeHandler(capture);
    }
  }

  @Test
  void aFailingDiskDropsAndCountsTheLinesOfEachFailedWriteAndWarnsOnce() {
    WritableByteChannel full = new Channel() {
      @Override
      public int write(ByteBuffer src) throws IOException {
        throw new IOException("No space left on device");
      }
    };
    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    Handler capture = capture(warnings);
    FileAudit audit = FileAudit.over(dir.resolve("full"), full, 1 << 20);
    try {
      for (int i = 0; i < 100; i++) {
        audit.record(new Caller("robot", List.of()), "archive.delete", "a" + i, "succeeded", 204);
      }
      Await.until("every line dropped", () -> audit.dropped() == 100);
      assertThat(audit.written()).isZero();
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0)).contains("write failed: No space left on device");
    } finally {
      audit.close();
      Logger.getLogger(FileAudit.class.getName()).removeHandler(capture);
    }
  }

  private static Handler capture(List<String> warnings) {
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        warnings.add(record.getMessage() != null ? record.getMessage()
            : String.valueOf(record.getParameters()));
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger.getLogger(FileAudit.class.getName()).addHandler(handler);
    return handler;
  }

  /** A channel that is always open; tests give its write. */
  private abstract static class Channel implements WritableByteChannel {
    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {
    }
  }
}
