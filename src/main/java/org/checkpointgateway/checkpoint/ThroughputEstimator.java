package org.checkpointgateway.checkpoint;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes per second this node's runtime achieved in past checkpoints, smoothed, for estimates
 * shown to callers. Starts from CRIU's typical dump speed on commodity disks.
 */
public final class ThroughputEstimator {

  /** Until the first checkpoint completes: CRIU writes roughly 500 MB/s of touched memory. */
  public static final double INITIAL_BYTES_PER_SECOND = 512.0 * 1024 * 1024;
  /** Weight of the newest sample: recent checkpoints matter more as disks fill and caches churn. */
  static final double SMOOTHING = 0.3;
  /** A sample this short says more about timer resolution than about throughput. */
  static final Duration SHORTEST_SAMPLE = Duration.ofMillis(50);

  // Checkpoints on every event loop update it: a lock-free double.
  private final AtomicLong bits = new AtomicLong(Double.doubleToLongBits(INITIAL_BYTES_PER_SECOND));

  public double bytesPerSecond() {
    return Double.longBitsToDouble(bits.get());
  }

  /** The expected duration of writing {@code bytes}. */
  public Duration estimate(long bytes) {
    return Duration.ofNanos((long) (bytes / bytesPerSecond() * 1e9));
  }

  /** Learns from one completed checkpoint. */
  public void record(long bytes, Duration took) {
    if (bytes <= 0 || took.compareTo(SHORTEST_SAMPLE) < 0) {
      return;
    }
    double sample = bytes / (took.toNanos() / 1e9);
    bits.updateAndGet(old -> Double.doubleToLongBits(
        SMOOTHING * sample + (1 - SMOOTHING) * Double.longBitsToDouble(old)));
  }
}
