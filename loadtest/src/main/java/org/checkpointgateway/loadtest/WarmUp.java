package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Warm-up until a target's throughput is steady, not for a fixed time. A cold JVM runs the
 * gateway's longer path interpreted and compiles it for tens of seconds on two shared cores
 * (a fixed 5 s measured the gateway at a third of its warm rate at 1 in flight), while the
 * minimal proxy is warm in a second: a fixed warm-up favoured the smaller server.
 */
final class WarmUp {

  /** The last {@link #STEADY_WINDOWS} windows within this fraction of the fastest of them: steady. */
  static final double STEADY = 0.05;
  static final int STEADY_WINDOWS = 3;
  // A plateau while the JIT is still compiling looks steady too: with wrk the gateway sat at
  // about 1,800/s for three windows, a fifth of its warm rate; on 2026-12-02, with a third of
  // the machine's CPU taken by its host, the harness's gateway ended a 20 s warm-up at 3,000/s
  // and later measured 13,000/s. At least 40 s of load first, and three windows that agree.
  static final int MIN_WINDOWS = 20;
  static final int MAX_WINDOWS = 45;

  private WarmUp() {
  }

  /** What the JSON's settings say of the rule. */
  static String rule(int inFlight, double windowSeconds) {
    return String.format(Locale.ROOT, "windows of %.1f s at %d in flight until %d in a row are within %.0f%%"
        + " (at least %d, at most %d windows)", windowSeconds, inFlight, STEADY_WINDOWS, STEADY * 100,
        MIN_WINDOWS, MAX_WINDOWS);
  }

  /**
   * Runs {@code window} (one warm-up window, returning its throughput) until steady; returns the
   * throughputs seen, for the report.
   */
  static JsonObject untilSteady(String label, boolean quick, Callable<Double> window) throws Exception {
    JsonArray rates = new JsonArray();
    java.util.ArrayDeque<Double> last = new java.util.ArrayDeque<>();
    int max = quick ? 1 : MAX_WINDOWS;
    for (int i = 0; i < max; i++) {
      double rate = window.call();
      rates.add(Math.round(rate));
      last.addLast(rate);
      if (last.size() > STEADY_WINDOWS) {
        last.removeFirst();
      }
      double fastest = last.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      double slowest = last.stream().mapToDouble(Double::doubleValue).min().orElse(0);
      boolean steady = last.size() == STEADY_WINDOWS && fastest > 0 && fastest - slowest <= STEADY * fastest;
      if (i + 1 >= MIN_WINDOWS && steady) {
        break;
      }
    }
    boolean steady = quick || rates.size() < max;
    System.out.printf(Locale.ROOT, "  warm-up %s: %d windows, %s/s%s%n", label, rates.size(), rates.encode(),
        steady ? "" : " (not steady at the limit of windows)");
    return new JsonObject().put("windowsPerSecond", rates).put("steady", steady);
  }
}
