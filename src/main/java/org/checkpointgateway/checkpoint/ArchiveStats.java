package org.checkpointgateway.checkpoint;

import io.vertx.core.Closeable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.nio.file.ClosedDirectoryStreamException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
 *
 * <p>On the event loop the stat is made relative to the directory, held open
 * ({@link #reopenDirectory}): the kernel then walks one name instead of every part of the
 * directory's path, which was 40% of the stat's time in profiles at 256 in flight. The
 * directory is opened again after each free-space reading (a second apart under load) and is
 * used for {@code heldForNanos} only; a name not found through it is asked by its whole path at
 * once. So a directory removed and made again is followed at once; one renamed away (or
 * replaced by a link) while a checkpoint ran can answer for its old path until the held one is
 * too old, where the whole path would have said the archive was missing. The descriptor also
 * keeps the directory's file system busy for an unmount while the gateway runs.
 */
final class ArchiveStats {

  private record Asked(Path archive, ContextInternal asker, Promise<BasicFileAttributes> answer) {
  }

  /** The checkpoint directory held open, and since when (on {@link System#nanoTime}'s clock). */
  private record Held(SecureDirectoryStream<Path> stream, long openedNanos) {
  }

  private final Vertx vertx;
  private final Path directory;
  // Its number of names: an archive right in it has one more (getParent() made a path per stat).
  private final int directoryDepth;
  private final long heldForNanos;
  private final BooleanSupplier onTheEventLoop;
  private final Queue<Asked> asked = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean reading = new AtomicBoolean();
  // The directory held open for stats on the event loop; null until opened (or when it cannot be).
  private final AtomicReference<Held> held = new AtomicReference<>();
  private final AtomicBoolean reopening = new AtomicBoolean();
  private final Closeable closeHook = done -> {
    close();
    done.succeed();
  };
  private volatile boolean closed;

  /**
   * @param directory where the archives asked about are
   * @param heldForNanos how long an opened directory is used: the longest a directory renamed
   *     away under a checkpoint can still answer for its path
   * @param onTheEventLoop whether a stat may run on the asker's event loop (asked each time)
   */
  ArchiveStats(Vertx vertx, Path directory, long heldForNanos, BooleanSupplier onTheEventLoop) {
    this.vertx = vertx;
    this.directory = directory;
    this.directoryDepth = directory.getNameCount();
    this.heldForNanos = heldForNanos;
    this.onTheEventLoop = onTheEventLoop;
    ((VertxInternal) vertx).addCloseHook(closeHook);
  }

  /**
   * Has the directory opened again on a worker, unless that is under way; returns at once, and
   * nothing waits for it (until it is done, stats go by whole path once the held one is too old).
   */
  void reopenSoon() {
    if (onTheEventLoop.getAsBoolean() && !closed && reopening.compareAndSet(false, true)) {
      vertx.executeBlocking(() -> {
        reopenDirectory();
        return null;
      }, false).onComplete(ignored -> reopening.set(false));
    }
  }

  /**
   * Opens the directory again for the stats made on the event loop, and closes the one held
   * before. Blocks: call it off the event loop. A directory that cannot be opened (missing,
   * another kind of file system) leaves stats to whole paths until the next call.
   */
  void reopenDirectory() {
    Held opened = null;
    if (onTheEventLoop.getAsBoolean() && !closed) {
      try {
        DirectoryStream<Path> stream = Files.newDirectoryStream(directory);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
          opened = new Held(secure, System.nanoTime());
        } else {
          stream.close();
        }
      } catch (IOException | RuntimeException failure) {
        // Stats go by whole path; the next free-space reading tries again.
      }
    }
    close(held.getAndSet(opened));
    if (closed) {
      close(held.getAndSet(null)); // closed while this one was opening
    }
  }

  /** Lets the directory go (the gateway stops, or Vert.x closes): stats go by whole path. */
  void close() {
    closed = true;
    close(held.getAndSet(null));
    ((VertxInternal) vertx).removeCloseHook(closeHook);
  }

  private static void close(Held directory) {
    if (directory != null) {
      try {
        directory.stream().close();
      } catch (IOException ignored) {
        // Only the descriptor is let go.
      }
    }
  }

  /** The archive's attributes, or the file system's failure (NoSuchFileException when missing). */
  Future<BasicFileAttributes> lstat(Path archive) {
    if (onTheEventLoop.getAsBoolean()) {
      try {
        return Future.succeededFuture(readInDirectory(archive));
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

  private BasicFileAttributes readInDirectory(Path archive) throws IOException {
    Held in = held.get();
    if (in != null && System.nanoTime() - in.openedNanos() < heldForNanos
        && archive.getNameCount() == directoryDepth + 1 && archive.startsWith(directory)) {
      try {
        return in.stream().getFileAttributeView(archive.getFileName(), BasicFileAttributeView.class,
            LinkOption.NOFOLLOW_LINKS).readAttributes();
      } catch (IOException | ClosedDirectoryStreamException notThere) {
        // Missing there, or the directory was just opened again: its whole path says.
      }
    }
    return read(archive);
  }

  private static BasicFileAttributes read(Path archive) throws IOException {
    return Files.readAttributes(archive, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }
}
