package org.checkpointgateway.checkpoint;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Answers from the runtime that concurrent requests share: one fetch per key serves every asker
 * that arrives while it is under way and for {@code maxAge} after it began. A burst of a thousand
 * checkpoints then costs the runtime one call, not a thousand (the kubelet answers from its pod
 * cache for the same reason). Failed fetches are shared by those already waiting, never reused.
 * Safe to call from any event loop; each asker is answered on its own context.
 */
final class SharedFetches<K, V> {

  /** Past this many keys, entries too old to serve are dropped when a fetch starts. */
  static final int PRUNE_ABOVE = 4096;

  private record Fetch<V>(long begunNanos, Future<V> result) {
  }

  private final Vertx vertx;
  private final long maxAgeNanos;
  private final Function<K, Future<V>> fetcher;
  private final Map<K, Fetch<V>> fetches = new ConcurrentHashMap<>();
  private volatile long lastPruneNanos = System.nanoTime();

  SharedFetches(Vertx vertx, Duration maxAge, Function<K, Future<V>> fetcher) {
    this.vertx = vertx;
    this.maxAgeNanos = maxAge.toNanos();
    this.fetcher = fetcher;
  }

  /** A value whose fetch began less than {@code maxAge} ago. */
  Future<V> recent(K key) {
    return fetchedSince(key, System.nanoTime() - maxAgeNanos);
  }

  /**
   * A value whose fetch began at or after {@code sinceNanos} ({@link System#nanoTime()}): what
   * a request must see before it may say that something does not exist.
   */
  Future<V> fetchedSince(K key, long sinceNanos) {
    Fetch<V> known = fetches.get(key);
    if (known == null || known.begunNanos() - sinceNanos < 0 || known.result().failed()) {
      known = start(key);
    }
    return onCallersContext(known.result());
  }

  private Fetch<V> start(K key) {
    long now = System.nanoTime();
    // At most once per age: a burst over many keys must not rescan the map for every key.
    if (fetches.size() > PRUNE_ABOVE && now - lastPruneNanos > maxAgeNanos) {
      lastPruneNanos = now;
      fetches.values().removeIf(fetch -> fetch.begunNanos() - (now - maxAgeNanos) < 0);
    }
    Fetch<V> fetch = new Fetch<>(now, fetcher.apply(key));
    if (maxAgeNanos > 0) { // with no age to share for, nothing is kept
      fetches.put(key, fetch);
    }
    return fetch;
  }

  /**
   * The shared Future belongs to the fetcher's context, where Vert.x would run every asker's
   * continuation; each asker goes on on its own context instead.
   */
  private Future<V> onCallersContext(Future<V> shared) {
    if (shared.isComplete()) {
      return shared.succeeded() ? Future.succeededFuture(shared.result())
          : Future.failedFuture(shared.cause());
    }
    Context caller = vertx.getOrCreateContext();
    Promise<V> answer = Promise.promise();
    shared.onComplete(done -> caller.runOnContext(ignored -> answer.handle(done)));
    return answer.future();
  }
}
