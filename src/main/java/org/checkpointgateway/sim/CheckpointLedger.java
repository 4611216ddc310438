package org.checkpointgateway.sim;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and the record of ended checkpoints. Written on the runtime's context only; the
 * counters and the record are readable from any thread (tests, the load harness).
 */
final class CheckpointLedger {

  // A load test ends millions of checkpoints: keep the recent ones only.
  static final int MAX_OBSERVATIONS = 10_000;

  private final Context context;
  private final ConcurrentLinkedDeque<CheckpointObservation> observations = new ConcurrentLinkedDeque<>();
  private final AtomicInteger observationCount = new AtomicInteger();
  private final List<Promise<CheckpointObservation>> nextWaiters = new ArrayList<>();
  private final Map<String, List<Promise<CheckpointObservation>>> locationWaiters = new HashMap<>();
  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
  final AtomicInteger active = new AtomicInteger();
  final AtomicLong activeBytes = new AtomicLong();
  // High-water marks: what a gateway's admission control must never let the runtime exceed.
  final AtomicInteger maxActive = new AtomicInteger();
  final AtomicLong maxActiveBytes = new AtomicLong();
  final AtomicLong completed = new AtomicLong();
  final AtomicLong cancelled = new AtomicLong();
  final AtomicLong failed = new AtomicLong();

  CheckpointLedger(Context context) {
    this.context = context;
  }

  void started(long memoryBytes) {
    maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
    maxActiveBytes.accumulateAndGet(activeBytes.addAndGet(memoryBytes), Math::max);
  }

  void ended(long memoryBytes) {
    active.decrementAndGet();
    activeBytes.addAndGet(-memoryBytes);
  }

  void countCall(String method) {
    calls.computeIfAbsent(method, m -> new LongAdder()).increment();
  }

  long calls(String method) {
    LongAdder adder = calls.get(method);
    return adder == null ? 0 : adder.sum();
  }

  void record(CheckpointObservation observation) {
    switch (observation.outcome()) {
      case COMPLETED -> completed.incrementAndGet();
      case CANCELLED -> cancelled.incrementAndGet();
      case FAILED -> failed.incrementAndGet();
    }
    observations.addLast(observation);
    if (observationCount.incrementAndGet() > MAX_OBSERVATIONS) {
      observations.pollFirst();
      observationCount.decrementAndGet();
    }
    if (nextWaiters.isEmpty() && locationWaiters.isEmpty()) {
      return; // the usual case under load: nobody waits, nothing to copy
    }
    List<Promise<CheckpointObservation>> waiting = new ArrayList<>(nextWaiters);
    nextWaiters.clear();
    List<Promise<CheckpointObservation>> byLocation = locationWaiters.remove(observation.location());
    if (byLocation != null) {
      waiting.addAll(byLocation);
    }
    waiting.forEach(p -> p.tryComplete(observation));
  }

  List<CheckpointObservation> observations() {
    return List.copyOf(observations);
  }

  Future<CheckpointObservation> next() {
    Promise<CheckpointObservation> promise = Promise.promise();
    context.runOnContext(v -> nextWaiters.add(promise));
    return promise.future();
  }

  Future<CheckpointObservation> endedAt(String location) {
    Promise<CheckpointObservation> promise = Promise.promise();
    context.runOnContext(v -> {
      for (CheckpointObservation o : observations) {
        if (o.location().equals(location)) {
          promise.tryComplete(o);
          return;
        }
      }
      locationWaiters.computeIfAbsent(location, l -> new ArrayList<>()).add(promise);
    });
    return promise.future();
  }
}
