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
import java.util.function.BooleanSupplier;

/**
 * What the file system says of archives the runtime just wrote (never following a link).
 *
 * <p>On a local file system ({@link ArchiveDirectory#onLocalFileSystem}) the stat is made at
 * once on the asker's event loop: the kernel answers it from memory in microseconds, while the
 * hop to a worker and back (a wake-up on each side) cost about 25 us of CPU per checkpoint, a
 * third of the gateway's own. Elsewhere a stat may block (a hung NFS server), so it runs on the
 * worker pool, many per task: one task per finished checkpoint made thousands of tasks a second
 * at 256 in flight. Each answer arrives on its asker's context.
 */
final class ArchiveStats {

  private record Asked(Path archive, ContextInternal asker, Promise<BasicFileAttributes> answer) {
  }

  private final Vertx vertx;
  private final BooleanSupplier onTheEventLoop;
  private final Queue<Asked> asked = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean reading = new AtomicBoolean();

  /** @param onTheEventLoop whether a stat may run on the asker's event loop (asked each time) */
  ArchiveStats(Vertx vertx, BooleanSupplier onTheEventLoop) {
    this.vertx = vertx;
    this.onTheEventLoop = onTheEventLoop;
  }

  /** The archive's attributes, or the file system's failure (NoSuchFileException when missing). */
  Future<BasicFileAttributes> lstat(Path archive) {
    if (onTheEventLoop.getAsBoolean()) {
      try {
        return Future.succeededFuture(read(archive));
      } catch (IOException | RuntimeException failure) {
        return Future.failedFuture(failure);
      }
    }
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
          BasicFileAttributes attributes = read(current.archive());
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

  private static BasicFileAttributes read(Path archive) throws IOException {
    return Files.readAttributes(archive, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }
}
