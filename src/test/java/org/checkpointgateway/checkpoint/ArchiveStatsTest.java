package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive stats, read many per pool task or at once on a local file system: each answer right,
 * on its asker's context.
 */
class ArchiveStatsTest {

  static final long HOUR = TimeUnit.HOURS.toNanos(1);

  @TempDir
  Path dir;
  Vertx vertx;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  @Test
  void manyAskersFromSeveralLoopsEachGetTheirOwnAnswerOnTheirOwnContext() throws Exception {
    askFromSeveralLoops(new ArchiveStats(vertx, dir, HOUR, () -> false));
  }

  @Test
  void onALocalFileSystemTheAnswerIsThereAtOnceAndEqualsThePoolsAnswer() throws Exception {
    askFromSeveralLoops(new ArchiveStats(vertx, dir, HOUR, () -> true));
    Path file = Files.write(dir.resolve("b.tar"), new byte[77]);
    Promise<Boolean> atOnce = Promise.promise();
    vertx.runOnContext(ignored -> atOnce.complete(
        new ArchiveStats(vertx, dir, HOUR, () -> true).lstat(file).isComplete()));
    assertThat(Await.result(atOnce.future())).as("no hop to a worker").isTrue();
    Promise<Boolean> hop = Promise.promise();
    vertx.runOnContext(ignored -> hop.complete(
        new ArchiveStats(vertx, dir, HOUR, () -> false).lstat(file).isComplete()));
    assertThat(Await.result(hop.future())).as("a worker answers later").isFalse();
  }

  @Test
  void throughTheHeldDirectoryFilesLinksAndMissingNamesAreAnsweredAsByTheirPaths() throws Exception {
    ArchiveStats stats = new ArchiveStats(vertx, dir, HOUR, () -> true);
    reopen(stats);
    askFromSeveralLoops(stats);
  }

  @Test
  void aDirectoryMadeAgainIsFollowedAtOnceOneRenamedAwayOnceTheHeldOneIsTooOld() throws Exception {
    Path archives = Files.createDirectory(dir.resolve("archives"));
    ArchiveStats stats = new ArchiveStats(vertx, archives, HOUR, () -> true);
    Files.write(archives.resolve("a.tar"), new byte[1234]);
    reopen(stats);
    assertThat(size(stats, archives.resolve("a.tar"))).isEqualTo("1234");

    // Removed and made again: a name not found through the held directory is asked by path.
    Files.delete(archives.resolve("a.tar"));
    Files.delete(archives);
    Files.createDirectory(archives);
    Files.write(archives.resolve("b.tar"), new byte[55]);
    assertThat(size(stats, archives.resolve("b.tar"))).isEqualTo("55");
    assertThat(size(stats, archives.resolve("a.tar"))).isEqualTo("NoSuchFileException");

    // Renamed away, another directory put in its place with a file of the same name (7 bytes
    // where the held one has 99): the held directory answers while it is young enough ...
    Files.write(archives.resolve("c.tar"), new byte[99]);
    reopen(stats);
    Files.move(archives, dir.resolve("moved"));
    Files.createDirectory(archives);
    Files.write(archives.resolve("c.tar"), new byte[7]);
    assertThat(size(stats, archives.resolve("c.tar"))).as("through the held directory")
        .isEqualTo("99");
    // Only a name right in the directory goes through it: one deeper, or in another directory
    // of the same depth, is asked by its path (the held one's c.tar would say 99).
    Files.write(Files.createDirectory(archives.resolve("sub")).resolve("c.tar"), new byte[3]);
    assertThat(size(stats, archives.resolve("sub").resolve("c.tar"))).isEqualTo("3");
    Files.write(Files.createDirectory(dir.resolve("other")).resolve("c.tar"), new byte[5]);
    assertThat(size(stats, dir.resolve("other").resolve("c.tar"))).isEqualTo("5");
    // ... and not once it is too old, nor once closed.
    ArchiveStats shortLived = new ArchiveStats(vertx, archives, TimeUnit.MILLISECONDS.toNanos(50),
        () -> true);
    Files.move(archives, dir.resolve("moved-again"));
    Files.move(dir.resolve("moved"), archives);
    reopen(shortLived);
    Files.move(archives, dir.resolve("moved"));
    Files.move(dir.resolve("moved-again"), archives);
    Await.until("the held directory to be too old to answer",
        () -> size(shortLived, archives.resolve("c.tar")).equals("7"));
    stats.close();
    assertThat(size(stats, archives.resolve("c.tar"))).as("closed").isEqualTo("7");
    reopen(stats);
    assertThat(size(stats, archives.resolve("c.tar"))).as("not opened again once closed")
        .isEqualTo("7");
  }

  private void reopen(ArchiveStats stats) {
    Await.result(vertx.executeBlocking(() -> {
      stats.reopenDirectory();
      return null;
    }));
  }

  /** The size the stats give, asked on an event loop, or the failure's name. */
  private String size(ArchiveStats stats, Path archive) {
    Promise<String> answer = Promise.promise();
    vertx.runOnContext(ignored -> stats.lstat(archive).onComplete(done -> answer.complete(
        done.succeeded() ? String.valueOf(done.result().size())
            : done.cause().getClass().getSimpleName())));
    return Await.result(answer.future());
  }

  private void askFromSeveralLoops(ArchiveStats stats) throws Exception {
    Path file = Files.write(dir.resolve("a.tar"), new byte[1234]);
    Path link = Files.createSymbolicLink(dir.resolve("link.tar"), file);
    Path missing = dir.resolve("missing.tar");
    List<Future<String>> answers = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      Path asked = i % 3 == 0 ? file : i % 3 == 1 ? link : missing;
      Context context = vertx.getOrCreateContext();
      Promise<String> answer = Promise.promise();
      context.runOnContext(ignored -> stats.lstat(asked).onComplete(done -> {
        String where = Vertx.currentContext() == context ? "" : " (answered on another context)";
        answer.complete(done.succeeded()
            ? (done.result().isRegularFile() ? "file " + done.result().size()
                : done.result().isSymbolicLink() ? "link" : "other") + where
            : done.cause().getClass().getSimpleName() + where);
      }));
      answers.add(answer.future());
    }
    for (int i = 0; i < answers.size(); i++) {
      String expected = i % 3 == 0 ? "file 1234" : i % 3 == 1 ? "link"
          : NoSuchFileException.class.getSimpleName();
      assertThat(Await.result(answers.get(i))).as("answer %d", i).isEqualTo(expected);
    }
  }
}
