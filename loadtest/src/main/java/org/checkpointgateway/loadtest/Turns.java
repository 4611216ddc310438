package org.checkpointgateway.loadtest;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Targets taking turns in short blocks of requests, each request timed and its failures counted
 * for its own target. Driven at one request in flight, every target meets the same moments of the
 * machine: a difference of two targets' percentiles is then theirs, not that of two moments (runs
 * of one target a minute apart differ here by more than a millisecond at p99). Blocks rather than
 * single requests keep each target busy as it would be alone, and leave what it does after an
 * answer (its JIT, its collector) mostly on its own requests.
 */
final class Turns {

  private final List<Call> calls;
  private final int block;
  private final Latency[] latencies;
  private final AtomicLong sent = new AtomicLong();

  Turns(List<Call> calls, int block) {
    this.calls = List.copyOf(calls);
    this.block = block;
    this.latencies = new Latency[calls.size()];
    Arrays.setAll(latencies, i -> new Latency());
  }

  /** The call for the generator: the turn's target's request, its answer recorded for that target. */
  Call call() {
    return () -> {
      int turn = (int) (sent.getAndIncrement() / block % calls.size());
      long start = System.nanoTime();
      return calls.get(turn).send().onComplete(done -> {
        if (done.succeeded()) {
          latencies[turn].success(System.nanoTime() - start);
        } else {
          latencies[turn].error(Call.describe(done.cause()));
        }
      });
    };
  }

  /** Forgets the latencies recorded so far (the warm-up); not the failures. */
  void reset() {
    Arrays.stream(latencies).forEach(Latency::reset);
  }

  /** Each target's latencies and failures, in the order the calls were given. */
  List<Latency> latencies() {
    return List.of(latencies);
  }
}
