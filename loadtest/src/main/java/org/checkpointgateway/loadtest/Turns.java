package org.checkpointgateway.loadtest;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Targets taking turns request by request, each request timed for its own target. Driven at one
 * request in flight, every target then meets the same moments of the machine: a difference of
 * two targets' percentiles is theirs, not that of two moments (runs of one target a minute apart
 * differ here by more than a millisecond at p99).
 */
final class Turns {

  private final List<Call> calls;
  private final Latency[] latencies;
  // One request in flight: the next turn is taken after the last one answered, never at once.
  private int next;

  Turns(List<Call> calls) {
    this.calls = List.copyOf(calls);
    this.latencies = new Latency[calls.size()];
    for (int i = 0; i < latencies.length; i++) {
      latencies[i] = new Latency();
    }
  }

  /** The call for the generator: the next target's request, its answer timed for that target. */
  Call call() {
    return () -> {
      int turn = next;
      next = (turn + 1) % calls.size();
      long start = System.nanoTime();
      return calls.get(turn).send().onSuccess(v -> latencies[turn].success(System.nanoTime() - start));
    };
  }

  /** Forgets what the warm-up recorded. */
  void reset() {
    for (Latency latency : latencies) {
      latency.reset();
    }
  }

  /** Each target's latencies since the last reset, in the order the calls were given. */
  List<Histogram> histograms() {
    return java.util.Arrays.stream(latencies).map(Latency::histogram).toList();
  }
}
