package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.checkpointgateway.context.Confined;

/**
 * One answer from the runtime that concurrent requests share (the node's picture): one fetch
 * serves every asker that arrives while it is under way and for {@code maxAge} after it began.
 * Failed fetches are shared by those already waiting, never reused. {@link SingleFlightCache}
 * keeps one of these per key.
 *
 * <p>Each asker waits within its own deadline, not the fetch's: a fetch has none of its own and
 * is abandoned (its call reset) when the last asker waiting for it gives up, as grpc-go cancels
 * a shared call whose callers' contexts all ended. Safe to call from any event loop; each asker
 * is answered on its own context.
 */
final class SingleFlight<V> {

  private static final class Fetch<V> {
    final long begunNanos;
    final Confined owner;
    final Promise<Void> unwanted = Promise.promise();
    // Askers waiting; -1 once abandoned, so that nobody joins a fetch being reset.
    final AtomicInteger waiting = new AtomicInteger();
    Future<V> result;

    Fetch(long begunNanos, Confined owner) {
      this.begunNanos = begunNanos;
      this.owner = owner;
    }

    boolean join() {
      int now;
      do {
        now = waiting.get();
        if (now < 0) {
          return false;
        }
      } while (!waiting.compareAndSet(now, now + 1));
      return true;
    }

    void leave() {
      if (waiting.decrementAndGet() == 0 && !result.isComplete() && waiting.compareAndSet(0, -1)) {
        owner.run(unwanted::tryComplete);
      }
    }
  }

  private final Vertx vertx;
  private final long maxAgeNanos;
  /** Fetches the value; its argument completes when nobody waits for it any more. */
  private final Function<Future<Void>, Future<V>> fetcher;
  private volatile Fetch<V> last;

  SingleFlight(Vertx vertx, Duration maxAge, Function<Future<Void>, Future<V>> fetcher) {
    this.vertx = vertx;
    this.maxAgeNanos = maxAge.toNanos();
    this.fetcher = fetcher;
  }

  /** A value whose fetch began less than {@code maxAge} ago, by {@code deadline}. */
  Future<V> recent(Deadline deadline) {
    return fetchedSince(System.nanoTime() - maxAgeNanos, deadline);
  }

  /**
   * A value whose fetch began at or after {@code sinceNanos} ({@link System#nanoTime()}): what
   * a request must see before it may say that something does not exist. Fails with a
   * {@code DeadlineExceeded} runtime failure when {@code deadline} passes first.
   */
  Future<V> fetchedSince(long sinceNanos, Deadline deadline) {
    Fetch<V> known = last;
    if (known == null || known.begunNanos - sinceNanos < 0 || known.result.failed()) {
      known = start();
    }
    if (known.result.isComplete()) {
      return deadline.bound(vertx, known.result);
    }
    if (!known.join()) {
      known = start(); // the one found was just abandoned by its last asker
      known.join();
    }
    Fetch<V> joined = known;
    return deadline.bound(vertx, joined.result)
        .onComplete(ignored -> joined.leave());
  }

  /** Whether the last fetch began before {@code sinceNanos}: nothing here is worth keeping. */
  boolean begunBefore(long sinceNanos) {
    Fetch<V> known = last;
    return known == null || known.begunNanos - sinceNanos < 0;
  }

  private Fetch<V> start() {
    Fetch<V> fetch = new Fetch<>(System.nanoTime(), Confined.to(vertx.getOrCreateContext()));
    fetch.result = fetcher.apply(fetch.unwanted.future());
    if (maxAgeNanos > 0) { // with no age to share for, nothing is kept
      last = fetch;
    }
    return fetch;
  }
}
