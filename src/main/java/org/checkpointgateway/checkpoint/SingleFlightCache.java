package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.checkpointgateway.context.RequestContext;

/**
 * A {@link SingleFlight} per key: answers from the runtime about one container (its stats) that
 * concurrent requests for that container share, each key fetched on its own.
 */
final class SingleFlightCache<K, V> {

  /** Past this many keys, entries too old to serve are dropped when a new key arrives. */
  static final int PRUNE_ABOVE = 4096;

  /**
   * Fetches the value of one key under {@code unwanted}: a context without a deadline, cancelled
   * when nobody waits for the value any more.
   */
  interface Fetcher<K, V> {
    Future<V> fetch(K key, RequestContext unwanted);
  }

  private final Vertx vertx;
  private final Duration maxAge;
  private final long maxAgeNanos;
  private final Fetcher<K, V> fetcher;
  private final Map<K, SingleFlight<V>> flights = new ConcurrentHashMap<>();
  private volatile long lastPruneNanos = System.nanoTime();

  SingleFlightCache(Vertx vertx, Duration maxAge, Fetcher<K, V> fetcher) {
    this.vertx = vertx;
    this.maxAge = maxAge;
    this.maxAgeNanos = maxAge.toNanos();
    this.fetcher = fetcher;
  }

  /** A value whose fetch began less than {@code maxAge} ago, within the asker's context. */
  Future<V> recent(K key, RequestContext asker) {
    return flight(key).recent(asker);
  }

  /** A value of {@code key} whose fetch began at or after {@code sinceNanos}; see SingleFlight. */
  Future<V> fetchedSince(K key, long sinceNanos, RequestContext asker) {
    return flight(key).fetchedSince(sinceNanos, asker);
  }

  private SingleFlight<V> flight(K key) {
    SingleFlight<V> known = flights.get(key);
    if (known != null) {
      return known;
    }
    long now = System.nanoTime();
    // At most once per age: a burst over many keys must not rescan the map for every key.
    if (flights.size() > PRUNE_ABOVE && now - lastPruneNanos > maxAgeNanos) {
      lastPruneNanos = now;
      flights.values().removeIf(flight -> flight.staleAt(now));
    }
    return flights.computeIfAbsent(key, k -> new SingleFlight<>(vertx, maxAge,
        unwanted -> fetcher.fetch(k, unwanted)));
  }
}
