package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies of one measured point, in microseconds, 3 significant digits, up to an hour; and
 * every failure by what it was ("HTTP 500", "connection reset" ...). Recording is wait-free from
 * any thread.
 */
final class Latency {

  static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

  private final Recorder recorder = new Recorder(MAX_MICROS, 3);
  // Failures are never forgotten: a warm-up's errors count as much as the window's.
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder answered = new LongAdder();

  void success(long nanos) {
    recorder.recordValue(Math.max(1, Math.min(MAX_MICROS, nanos / 1000)));
    succeeded.increment();
    answered.increment();
  }

  void error(String what) {
    errors.computeIfAbsent(what, k -> new LongAdder()).increment();
    answered.increment();
  }

  /** Forgets the latencies and successes recorded so far (the warm-up); not the failures. */
  void reset() {
    recorder.getIntervalHistogram();
    succeeded.reset();
  }

  /** Every answer since the start, warm-up included, success or failure. */
  long answered() {
    return answered.sum();
  }

  /** What was recorded since the last reset. */
  Histogram histogram() {
    return recorder.getIntervalHistogram();
  }

  long succeeded() {
    return succeeded.sum();
  }

  Map<String, Long> errors() {
    Map<String, Long> copy = new TreeMap<>();
    errors.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** p50/p90/p99/p99.9/max/mean in milliseconds. */
  static JsonObject percentiles(Histogram h) {
    return new JsonObject()
        .put("count", h.getTotalCount())
        .put("p50", ms(h.getValueAtPercentile(50)))
        .put("p90", ms(h.getValueAtPercentile(90)))
        .put("p99", ms(h.getValueAtPercentile(99)))
        .put("p99_9", ms(h.getValueAtPercentile(99.9)))
        .put("max", ms(h.getMaxValue()))
        .put("mean", Math.round(h.getMean()) / 1000.0);
  }

  static double ms(long micros) {
    return micros / 1000.0;
  }
}
