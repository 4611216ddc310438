package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.context.Confined;

/**
 * Answers from the runtime that concurrent requests share: one fetch per key serves every asker
 * that arrives while it is under way and for {@code maxAge} after it began. A burst of a thousand
 * checkpoints then costs the runtime one call, not a thousand (the kubelet answers from its pod
 * cache for the same reason). Failed fetches are shared by those already waiting, never reused.
 *
 * <p>Each asker waits within its own deadline, not the fetch's: a fetch has none of its own and
 * is abandoned (its call reset) when the last asker waiting for it gives up, as grpc-go cancels
 * a shared call whose callers' contexts all ended. Safe to call from any event loop; each asker
 * is answered on its own context.
 */
final class SingleFlightCache<K, V> {

  /** Past this many keys, entries too old to serve are dropped when a fetch starts. */
  static final int PRUNE_ABOVE = 4096;

  /**
   * Fetches the value of one key under {@code unwanted}: a context without a deadline, cancelled
   * when nobody waits for the value any more.
   */
  interface Fetcher<K, V> {
    Future<V> fetch(K key, RequestContext unwanted);
  }

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
  private final Fetcher<K, V> fetcher;
  private final Map<K, Fetch<V>> fetches = new ConcurrentHashMap<>();
  private volatile long lastPruneNanos = System.nanoTime();

  SingleFlightCache(Vertx vertx, Duration maxAge, Fetcher<K, V> fetcher) {
    this.vertx = vertx;
    this.maxAgeNanos = maxAge.toNanos();
    this.fetcher = fetcher;
  }

  /** A value whose fetch began less than {@code maxAge} ago, within the asker's context. */
  Future<V> recent(K key, RequestContext asker) {
    return fetchedSince(key, System.nanoTime() - maxAgeNanos, asker);
  }

  /**
   * A value whose fetch began at or after {@code sinceNanos} ({@link System#nanoTime()}): what
   * a request must see before it may say that something does not exist. Fails with a
   * {@code DeadlineExceeded} runtime failure when the asker's deadline passes first, a
   * {@code Canceled} one when the asker is cancelled first.
   */
  Future<V> fetchedSince(K key, long sinceNanos, RequestContext asker) {
    Fetch<V> known = fetches.get(key);
    if (known == null || known.begunNanos - sinceNanos < 0 || known.result.failed()) {
      known = start(key);
    }
    if (known.result.isComplete()) {
      return asker.bound(vertx, known.result);
    }
    if (!known.join()) {
      known = start(key); // the one found was just abandoned by its last asker
      known.join();
    }
    Fetch<V> joined = known;
    return asker.bound(vertx, joined.result)
        .onComplete(ignored -> joined.leave());
  }

  private Fetch<V> start(K key) {
    long now = System.nanoTime();
    // At most once per age: a burst over many keys must not rescan the map for every key.
    if (fetches.size() > PRUNE_ABOVE && now - lastPruneNanos > maxAgeNanos) {
      lastPruneNanos = now;
      fetches.values().removeIf(fetch -> fetch.begunNanos - (now - maxAgeNanos) < 0);
    }
    Fetch<V> fetch = new Fetch<>(now, Confined.to(vertx.getOrCreateContext()));
    fetch.result = fetcher.fetch(key, RequestContext.until(fetch.unwanted.future()));
    if (maxAgeNanos > 0) { // with no age to share for, nothing is kept
      fetches.put(key, fetch);
    }
    return fetch;
  }
}
