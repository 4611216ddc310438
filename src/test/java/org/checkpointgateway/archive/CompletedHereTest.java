package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The archives a checkpoint here completed: bounded, the oldest forgotten first. */
class CompletedHereTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void beyondTheBoundTheOldestAreForgottenAndTheNewestKept() {
    ArchiveDirectory directory = new ArchiveDirectory(vertx, Path.of("/nonexistent/checkpoints"));
    List<Path> told = new ArrayList<>();
    directory.onCompleted(told::add);
    int total = ArchiveDirectory.MAX_COMPLETED_REMEMBERED * 3;
    for (int i = 0; i < total; i++) {
      directory.completed(archive(i));
    }
    int firstKept = total - ArchiveDirectory.MAX_COMPLETED_REMEMBERED;
    assertThat(directory.isCompletedHere(archive(0))).isFalse();
    assertThat(directory.isCompletedHere(archive(firstKept - 1))).isFalse();
    assertThat(directory.isCompletedHere(archive(firstKept))).isTrue();
    assertThat(directory.isCompletedHere(archive(total - 1))).isTrue();
    // A removed archive is forgotten; a name completed again is remembered again.
    directory.forget(archive(total - 1));
    assertThat(directory.isCompletedHere(archive(total - 1))).isFalse();
    directory.completed(archive(0));
    assertThat(directory.isCompletedHere(archive(0))).isTrue();
    assertThat(told).hasSize(total + 1).endsWith(archive(total - 1), archive(0));
  }

  @Test
  void withNobodyListeningNothingIsRemembered() {
    // Retention listens only when it has a rule; without one nobody asks, so nothing is kept.
    ArchiveDirectory directory = new ArchiveDirectory(vertx, Path.of("/nonexistent/checkpoints"));
    directory.completed(archive(1));
    assertThat(directory.isCompletedHere(archive(1))).isFalse();
    directory.onCompleted(archive -> { });
    directory.completed(archive(1));
    assertThat(directory.isCompletedHere(archive(1))).isTrue();
  }

  private static Path archive(int i) {
    return Path.of("/nonexistent/checkpoints/checkpoint-p_ns-c-" + i + ".tar");
  }
}
