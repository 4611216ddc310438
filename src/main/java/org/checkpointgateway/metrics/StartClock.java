package org.checkpointgateway.metrics;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Where a start's time goes: each phase is logged once, as {@code start: PHASE at N ms} counted
 * from the JVM's own start (so the JVM's start-up before {@code main} shows too). The fleet's
 * formation figures in docs/fleet.md and {@code loadtest/run fleet} read these lines.
 */
public final class StartClock {

  private static final Logger LOG = Logger.getLogger(StartClock.class.getName());
  // From /proc, without java.management's classes; 10 ms granularity is enough here.
  private static final long JVM_STARTED = ProcessHandle.current().info().startInstant()
      .map(Instant::toEpochMilli).orElseGet(System::currentTimeMillis);
  private static final Set<String> MARKED = ConcurrentHashMap.newKeySet();

  private StartClock() {
  }

  /** Milliseconds since the JVM started. */
  public static long now() {
    return System.currentTimeMillis() - JVM_STARTED;
  }

  /** Logs {@code phase} with the milliseconds since the JVM started, the first time only. */
  public static void mark(String phase) {
    mark(phase, now());
  }

  /** Logs {@code phase} as reached {@code at} ({@link #now()} then), the first time only. */
  public static void mark(String phase, long at) {
    if (MARKED.add(phase)) {
      LOG.info(() -> "start: " + phase + " at " + at + " ms");
    }
  }
}
