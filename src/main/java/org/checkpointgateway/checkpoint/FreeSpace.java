package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The checkpoint directory's usable bytes, asked of the file system at most once per
 * {@code maxAgeNanos} and never twice at once: the requests that find the last reading too old
 * share the next read. Each read is a worker-pool round trip, and under load thousands of
 * requests a second would otherwise each start one until the first answered (and on a hung file
 * system each would hold a worker thread).
 */
final class FreeSpace {

  private final Supplier<Future<Long>> read;
  private final long maxAgeNanos;
  // {usable bytes, when read (nanoTime), writtenSinceStart when the read began}, replaced whole
  // so that readers need no lock.
  private final AtomicReference<long[]> known = new AtomicReference<>();
  private final AtomicReference<Future<Long>> reading = new AtomicReference<>();
  // Bytes of every archive written, ever: added to by every checkpoint, on every event loop,
  // without an allocation or a retried compare-and-set (as a new reading per archive did). A
  // reading counts against it what was written after the read began.
  private final LongAdder writtenSinceStart = new LongAdder();

  FreeSpace(Supplier<Future<Long>> read, long maxAgeNanos) {
    this.read = read;
    this.maxAgeNanos = maxAgeNanos;
  }

  /** The last reading if it is recent enough, else null. */
  Long recent() {
    long[] last = known.get();
    return last != null && System.nanoTime() - last[1] < maxAgeNanos
        ? last[0] - (writtenSinceStart.sum() - last[2]) : null;
  }

  /** A fresh reading: the read under way if there is one, else a new one. */
  Future<Long> read() {
    while (true) {
      Future<Long> underWay = reading.get();
      if (underWay != null) {
        return underWay;
      }
      Promise<Long> mine = Promise.promise();
      if (reading.compareAndSet(null, mine.future())) {
        // An archive that ends while the file system is read may or may not be in its answer:
        // it is counted against it all the same (cautious).
        long writtenBefore = writtenSinceStart.sum();
        read.get().onComplete(done -> {
          if (done.succeeded()) {
            known.set(new long[] {done.result(), System.nanoTime(), writtenBefore});
          }
          // The reading is in place before the next asker finds no read under way.
          reading.set(null);
          mine.handle(done);
        });
        return mine.future();
      }
    }
  }

  /** An archive of {@code bytes} was written: counted against the reading until the next. */
  void written(long bytes) {
    writtenSinceStart.add(bytes);
  }

  /** The directory may be gone: the next asker reads again (and the directory is made again). */
  void forget() {
    known.set(null);
  }
}
