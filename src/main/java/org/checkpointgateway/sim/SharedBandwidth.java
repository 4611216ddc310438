package org.checkpointgateway.sim;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * Advances the running checkpoints with processor sharing: every memory-sized checkpoint gets
 * bandwidth/N, N being how many are running. One periodic timer drives them all and runs only
 * while some are active. Lives on the runtime's context: no locks.
 */
final class SharedBandwidth {

  static final long TICK_MILLIS = 20;

  private final Vertx vertx;
  private final long bytesPerSecond;
  private final List<SimulatedCheckpoint> running = new ArrayList<>();
  private long timerId = -1;
  private long lastTickNanos;
  // Written on the context only; volatile so that a status reader on another thread sees them.
  private volatile long busyNanos;
  private volatile double bytesUsed;

  SharedBandwidth(Vertx vertx, long bytesPerSecond) {
    this.vertx = vertx;
    this.bytesPerSecond = bytesPerSecond;
  }

  void add(SimulatedCheckpoint checkpoint) {
    if (running.isEmpty()) {
      lastTickNanos = System.nanoTime();
      timerId = vertx.setPeriodic(TICK_MILLIS, id -> tick());
    } else {
      // Charge the time so far at the old share before the newcomer dilutes it.
      advance();
    }
    running.add(checkpoint);
  }

  void remove(SimulatedCheckpoint checkpoint) {
    if (running.size() > 1 && running.contains(checkpoint)) {
      // The others shared the time since the last tick with this one: charge it before it leaves.
      advance();
    }
    if (running.remove(checkpoint) && running.isEmpty()) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** Time during which at least one memory-sized checkpoint was using the bandwidth. */
  long busyNanos() {
    return busyNanos;
  }

  /** Bytes of simulated work done so far over all checkpoints. */
  double bytesUsed() {
    return bytesUsed;
  }

  long bytesPerSecond() {
    return bytesPerSecond;
  }

  int size() {
    return running.size();
  }

  private void tick() {
    advance();
    for (SimulatedCheckpoint checkpoint : List.copyOf(running)) {
      if (checkpoint.isDone()) {
        remove(checkpoint);
        checkpoint.complete();
      } else {
        checkpoint.progressed();
      }
    }
  }

  private void advance() {
    long now = System.nanoTime();
    long elapsed = now - lastTickNanos;
    lastTickNanos = now;
    long sharing = running.stream().filter(SimulatedCheckpoint::usesBandwidth).count();
    double share = sharing == 0 ? 0 : bytesPerSecond * (elapsed / 1e9) / sharing;
    if (sharing > 0) {
      busyNanos += elapsed;
      bytesUsed += bytesPerSecond * (elapsed / 1e9);
    }
    for (SimulatedCheckpoint checkpoint : running) {
      checkpoint.advance(elapsed, share);
    }
  }
}
