package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.checkpointgateway.context.Confined;
import org.checkpointgateway.context.RequestContext;

/**
 * One answer from the runtime that concurrent requests share: one fetch serves every asker that
 * arrives while it is under way and for {@code maxAge} after it began. A burst of a thousand
 * checkpoints then costs the runtime one call, not a thousand (the kubelet answers from its pod
 * cache for the same reason). A failed fetch is shared by those already waiting, never reused.
 *
 * <p>Each asker waits within its own deadline, not the fetch's: a fetch has none of its own and
 * is abandoned (its call reset) when the last asker waiting for it gives up, as grpc-go cancels
 * a shared call whose callers' contexts all ended. Safe to call from any event loop; each asker
 * is answered on its own context. {@link SingleFlightCache} keeps one per key.
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
  // Fetches the value under a context without a deadline, cancelled when nobody waits any more.
  private final Function<RequestContext, Future<V>> fetcher;
  private volatile Fetch<V> latest;

  SingleFlight(Vertx vertx, Duration maxAge, Function<RequestContext, Future<V>> fetcher) {
    this.vertx = vertx;
    this.maxAgeNanos = maxAge.toNanos();
    this.fetcher = fetcher;
  }

  /** A value whose fetch began less than {@code maxAge} ago, within the asker's context. */
  Future<V> recent(RequestContext asker) {
    return fetchedSince(System.nanoTime() - maxAgeNanos, asker);
  }

  /**
   * A value whose fetch began at or after {@code sinceNanos} ({@link System#nanoTime()}): what
   * a request must see before it may say that something does not exist. Fails with a
   * {@code DeadlineExceeded} runtime failure when the asker's deadline passes first, a
   * {@code Canceled} one when the asker is cancelled first.
   */
  Future<V> fetchedSince(long sinceNanos, RequestContext asker) {
    Fetch<V> known = latest;
    if (known == null || known.begunNanos - sinceNanos < 0 || known.result.failed()) {
      known = start();
    }
    if (known.result.isComplete()) {
      return asker.bound(vertx, known.result);
    }
    if (!known.join()) {
      known = start(); // the one found was just abandoned by its last asker
      known.join();
    }
    Fetch<V> joined = known;
    return asker.bound(vertx, joined.result)
        .onComplete(ignored -> joined.leave());
  }

  /** Whether, at {@code nowNanos}, no fetch is recent enough to serve from: it may be dropped. */
  boolean staleAt(long nowNanos) {
    Fetch<V> known = latest;
    return known == null || known.begunNanos - (nowNanos - maxAgeNanos) < 0;
  }

  private Fetch<V> start() {
    Fetch<V> fetch = new Fetch<>(System.nanoTime(), Confined.to(vertx.getOrCreateContext()));
    fetch.result = fetcher.apply(RequestContext.until(fetch.unwanted.future()));
    if (maxAgeNanos > 0) { // with no age to share for, nothing is kept
      latest = fetch;
    }
    return fetch;
  }
}
