package org.checkpointgateway.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * One scenario's run: where things go, the generator, the tokens, and the report being built
 * (settings, figures, checks that decide the exit code, and notes on what the machine could not
 * hold).
 */
final class Run {

  /** The gateway's and the bare server's JVM: a fixed heap ceiling so memory figures compare. */
  static final List<String> SERVER_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC");
  static final List<String> SIMULATOR_JVM = List.of("-Xmx1g", "-XX:+UseG1GC");
  static final int GENERATOR_EVENT_LOOPS = 2;

  final String scenario;
  final boolean quick;
  final Path out;
  final Path work;
  final Path jar;
  final Path pidFile;
  final boolean jfr;
  final Vertx vertx;
  final Generator generator;
  final JsonObject report = new JsonObject();
  final JsonObject settings = new JsonObject();
  final JsonObject results = new JsonObject();
  final JsonArray checks = new JsonArray();
  final JsonArray notes = new JsonArray();
  Tokens tokens;
  /** How long a full soak runs ({@code --minutes}). */
  int minutes = Soak.DEFAULT_MINUTES;

  Run(String scenario, boolean quick, Path out, Path work, Path jar, Path pidFile, boolean jfr, Vertx vertx) {
    this.scenario = scenario;
    this.quick = quick;
    this.out = out;
    this.work = work;
    this.jar = jar;
    this.pidFile = pidFile;
    this.jfr = jfr;
    this.vertx = vertx;
    this.generator = new Generator(vertx, GENERATOR_EVENT_LOOPS);
    settings.put("generator", new JsonObject()
        .put("jvmFlags", new JsonArray(ManagementFactory.getRuntimeMXBean().getInputArguments()))
        .put("eventLoops", GENERATOR_EVENT_LOOPS)
        .put("http", "HTTP/1.1 keep-alive, one connection per request in flight")
        .put("histogram", "HdrHistogram, microseconds, 3 significant digits"));
  }

  /**
   * A check the run must pass (lost requests, unexpected errors, a budget exceeded); a failed
   * one makes loadtest/run exit 1. Goals on speed are reported as {@link #goal}, never failing CI.
   */
  void check(String name, boolean passed, String detail) {
    checks.add(new JsonObject().put("name", name).put("passed", passed).put("detail", detail));
    System.out.printf("  check %-40s %s  %s%n", name, passed ? "ok" : "FAILED", detail);
  }

  void note(String text) {
    notes.add(text);
    System.out.println("  note: " + text);
  }

  boolean passed() {
    return checks.stream().allMatch(c -> ((JsonObject) c).getBoolean("passed"));
  }

  /** A figure against a goal of docs/performance.md; reported, not enforced. */
  static JsonObject goal(String text, double value, double target, boolean met) {
    return goal(text, Double.valueOf(value), target, met);
  }

  /** A goal whose figure may be missing ({@code null}: not measured, so not met). */
  static JsonObject goal(String text, Double value, double target, boolean met) {
    return new JsonObject().put("goal", text).put("value", value).put("target", target).put("met", met);
  }
}
