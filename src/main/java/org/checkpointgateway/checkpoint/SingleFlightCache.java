package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers from the runtime that concurrent requests share, by key (a container's stats): one
 * {@link SingleFlight} per key, so that a burst of a thousand checkpoints costs the runtime one
 * call per key, not a thousand (the kubelet answers from its pod cache for the same reason).
 */
final class SingleFlightCache<K, V> {

  /** Past this many keys, entries too old to serve are dropped when a new key arrives. */
  static final int PRUNE_ABOVE = 4096;

  /** Fetches the value of one key; {@code unwanted} completes when nobody waits for it any more. */
  interface Fetcher<K, V> {
    Future<V> fetch(K key, Future<Void> unwanted);
  }

  private final Vertx vertx;
  private final Duration maxAge;
  private final Fetcher<K, V> fetcher;
  private final Map<K, SingleFlight<V>> flights = new ConcurrentHashMap<>();
  private volatile long lastPruneNanos = System.nanoTime();

  SingleFlightCache(Vertx vertx, Duration maxAge, Fetcher<K, V> fetcher) {
    this.vertx = vertx;
    this.maxAge = maxAge;
    this.fetcher = fetcher;
  }

  /** See {@link SingleFlight#recent}. */
  Future<V> recent(K key, Deadline deadline) {
    return flight(key).recent(deadline);
  }

  /** See {@link SingleFlight#fetchedSince}. */
  Future<V> fetchedSince(K key, long sinceNanos, Deadline deadline) {
    return flight(key).fetchedSince(sinceNanos, deadline);
  }

  private SingleFlight<V> flight(K key) {
    SingleFlight<V> known = flights.get(key);
    if (known != null) {
      return known;
    }
    long now = System.nanoTime();
    long maxAgeNanos = maxAge.toNanos();
    // At most once per age: a burst over many keys must not rescan the map for every key.
    if (flights.size() > PRUNE_ABOVE && now - lastPruneNanos > maxAgeNanos) {
      lastPruneNanos = now;
      flights.values().removeIf(flight -> flight.begunBefore(now - maxAgeNanos));
    }
    SingleFlight<V> fresh = new SingleFlight<>(vertx, maxAge, unwanted -> fetcher.fetch(key, unwanted));
    // With no age to share for, nothing is kept.
    return maxAgeNanos > 0 ? flights.computeIfAbsent(key, k -> fresh) : fresh;
  }
}
