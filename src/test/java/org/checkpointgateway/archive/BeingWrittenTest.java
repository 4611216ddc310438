package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Archives being written, marked per thread: seen from every thread, ended from any. */
class BeingWrittenTest {

  // More threads than stripes (fewer than eight per core): some share a stripe, each marks its
  // own archives.
  private static final int THREADS = 8 * Runtime.getRuntime().availableProcessors() + 1;

  private final Vertx vertx = Vertx.vertx();
  private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);
  private final ArchiveDirectory directory =
      new ArchiveDirectory(vertx, Path.of("/nonexistent/checkpoints"));

  @AfterEach
  void close() {
    threads.shutdownNow();
    vertx.close().await();
  }

  private static Path archive(int i) {
    return Path.of("/nonexistent/checkpoints/checkpoint-pod_default-app-" + i + ".tar");
  }

  @Test
  void markedOnManyThreadsSeenFromAnyAndEndedOnOthers() throws Exception {
    List<CompletableFuture<Void>> marked = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      marked.add(CompletableFuture.runAsync(() -> {
        for (int i = thread * 100; i < thread * 100 + 100; i++) {
          directory.writing(archive(i));
        }
      }, threads));
    }
    CompletableFuture.allOf(marked.toArray(CompletableFuture[]::new)).get();
    int total = THREADS * 100;
    for (int i = 0; i < total; i++) {
      assertThat(directory.isBeingWritten(archive(i))).as("archive %d", i).isTrue();
    }
    assertThat(directory.isBeingWritten(archive(total))).isFalse();

    // Ended here, on the test's thread, which marked none of them: each is found and taken out.
    for (int i = 0; i < total; i += 2) {
      directory.written(archive(i));
    }
    for (int i = 0; i < total; i++) {
      assertThat(directory.isBeingWritten(archive(i))).as("archive %d", i).isEqualTo(i % 2 == 1);
    }
  }

  @Test
  void anArchiveMarkedTwiceOnOneThreadIsWrittenOnceItEnds() {
    directory.writing(archive(1));
    directory.writing(archive(1));
    directory.written(archive(1));
    assertThat(directory.isBeingWritten(archive(1))).isFalse();
    // Ending one that was never marked is harmless.
    directory.written(archive(2));
    assertThat(directory.isBeingWritten(archive(2))).isFalse();
  }
}
