package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the file system says of archives the runtime just wrote (never following a link), many
 * per worker-pool task. A stat may block (a hung disk), so it runs on the pool; one pool task per
 * finished checkpoint made thousands of tasks a second at 256 in flight, each a trip through the
 * pool's queue and a worker's wake-up. Each answer still arrives on its asker's context.
 */
final class ArchiveStats {

  private record Asked(Path archive, ContextInternal asker, Promise<BasicFileAttributes> answer) {
  }

  private final Vertx vertx;
  private final Queue<Asked> asked = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean reading = new AtomicBoolean();

  ArchiveStats(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The archive's attributes, or the file system's failure (NoSuchFileException when missing). */
  Future<BasicFileAttributes> lstat(Path archive) {
    ContextInternal asker = (ContextInternal) vertx.getOrCreateContext();
    Promise<BasicFileAttributes> answer = asker.promise();
    asked.add(new Asked(archive, asker, answer));
    if (reading.compareAndSet(false, true)) {
      vertx.executeBlocking(this::readAll, false);
    }
    return answer.future();
  }

  private Void readAll() {
    do {
      for (Asked one = asked.poll(); one != null; one = asked.poll()) {
        Asked current = one;
        try {
          BasicFileAttributes attributes = Files.readAttributes(current.archive(),
              BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          current.asker().runOnContext(ignored -> current.answer().complete(attributes));
        } catch (IOException | RuntimeException failure) {
          current.asker().runOnContext(ignored -> current.answer().fail(failure));
        }
      }
      reading.set(false);
      // Asked after the queue looked empty but before the flag dropped: read them here too,
      // unless another task has started for them.
    } while (!asked.isEmpty() && reading.compareAndSet(false, true));
    return null;
  }
}
