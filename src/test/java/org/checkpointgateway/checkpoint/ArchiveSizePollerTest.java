package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Watched archives' sizes follow the files as a runtime writes them. */
class ArchiveSizePollerTest {

  @TempDir
  Path dir;
  Vertx vertx;
  ArchiveSizePoller poller;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    poller = new ArchiveSizePoller(vertx, Duration.ofMillis(20));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  @Test
  void sizesFollowTheFilesUntilForgotten() throws Exception {
    Path first = dir.resolve("a.tar");
    Path second = dir.resolve("b.tar");
    poller.watch(first);
    poller.watch(second);
    assertThat(poller.size(first)).isZero(); // not written yet

    Files.write(first, new byte[1000]);
    Await.until("the first archive's size", () -> poller.size(first) == 1000);
    Files.write(first, new byte[5000]);
    Files.write(second, new byte[7]);
    Await.until("both sizes", () -> poller.size(first) == 5000 && poller.size(second) == 7);

    poller.forget(first);
    assertThat(poller.size(first)).isZero();
    Files.write(second, new byte[70]);
    Await.until("the one still watched", () -> poller.size(second) == 70);
    assertThat(poller.size(first)).isZero();
  }
}
