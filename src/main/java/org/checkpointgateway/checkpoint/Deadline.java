package org.checkpointgateway.checkpoint;

import java.time.Duration;

/** A point on the monotonic clock by which a caller wants an answer. */
public record Deadline(long nanoTime) {

  public static Deadline in(Duration timeout) {
    return new Deadline(System.nanoTime() + timeout.toNanos());
  }

  /** Time left, never negative. */
  public Duration remaining() {
    return Duration.ofNanos(Math.max(0, nanoTime - System.nanoTime()));
  }

  public boolean passed() {
    return System.nanoTime() - nanoTime >= 0;
  }
}
