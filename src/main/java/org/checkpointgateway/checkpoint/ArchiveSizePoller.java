package org.checkpointgateway.checkpoint;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sizes of the archives that someone watches grow, read for all of them in one worker-pool
 * task per interval. Five thousand event streams asking the file system for their own archive
 * each second made five thousand pool tasks a second, and event loops queued on the pool's lock.
 */
final class ArchiveSizePoller {

  private final Vertx vertx;
  private final Duration interval;
  // Archive -> the bytes it had when last read (0 until the runtime creates it).
  private final Map<Path, Long> sizes = new ConcurrentHashMap<>();
  private final AtomicBoolean reading = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();

  ArchiveSizePoller(Vertx vertx, Duration interval) {
    this.vertx = vertx;
    this.interval = interval;
  }

  /** From now until {@link #forget}, {@code archive}'s size is read every interval. */
  void watch(Path archive) {
    sizes.putIfAbsent(archive, 0L);
    if (started.compareAndSet(false, true)) {
      vertx.setPeriodic(interval.toMillis(), id -> readAll());
    }
  }

  void forget(Path archive) {
    sizes.remove(archive);
  }

  /** The archive's size at the last read, at most one interval old; 0 when not yet there. */
  long size(Path archive) {
    return sizes.getOrDefault(archive, 0L);
  }

  private void readAll() {
    // Nothing watched, or the last read still going (a slow disk): skip this tick.
    if (sizes.isEmpty() || !reading.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(() -> {
      for (Path archive : sizes.keySet()) {
        long size = sizeOrZero(archive);
        // Only archives still watched: one forgotten meanwhile must not come back.
        sizes.computeIfPresent(archive, (path, old) -> size);
      }
      return null;
    }, false).onComplete(done -> reading.set(false));
  }

  private static long sizeOrZero(Path archive) {
    try {
      return Files.size(archive);
    } catch (IOException notYetOrGone) {
      return 0;
    }
  }
}
