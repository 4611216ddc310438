package org.checkpointgateway.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The load-test harness's entry point, run by {@code loadtest/run} (which builds the jars, raises
 * limits and cleans up):
 * {@code java -cp checkpoint-gateway.jar:checkpoint-gateway-loadtest.jar org.checkpointgateway.loadtest.LoadTest SCENARIO
 * --out DIR --work DIR --jar JAR --pids FILE [--quick] [--jfr] [--minutes N]}.
 * Writes {@code DIR/SCENARIO.json} and {@code DIR/SCENARIO.svg}; exits 0 when every check passed,
 * 1 when one failed (lost requests, unexpected errors, a budget exceeded), 2 on bad usage.
 */
public final class LoadTest {

  static final List<String> SCENARIOS = List.of("overhead", "hold", "heavy", "soak", "wrk", "fleet");

  private LoadTest() {
  }

  interface Scenario {
    /** Runs, filling the run's report; returns the chart. */
    String run(Run run) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    String scenario = null;
    boolean quick = false;
    boolean jfr = false;
    Path out = null;
    Path work = null;
    Path jar = null;
    Path pids = null;
    Integer minutes = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--jfr" -> jfr = true;
        case "--out" -> out = Path.of(args[++i]);
        case "--work" -> work = Path.of(args[++i]);
        case "--jar" -> jar = Path.of(args[++i]);
        case "--pids" -> pids = Path.of(args[++i]);
        case "--minutes" -> minutes = positive(args[++i]);
        default -> scenario = args[i];
      }
    }
    if (scenario == null || !SCENARIOS.contains(scenario) || out == null || work == null || jar == null
        || pids == null || minutes != null && minutes < 1) {
      System.err.println("usage: LoadTest overhead|hold|heavy|soak|wrk|fleet --out DIR --work DIR --jar JAR --pids FILE"
          + " [--quick] [--jfr] [--minutes N]");
      System.exit(2);
    }
    Files.createDirectories(out);
    Files.createDirectories(work);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)
        .setEventLoopPoolSize(Run.GENERATOR_EVENT_LOOPS));
    Run run = new Run(scenario, quick, out.toAbsolutePath(), work.toAbsolutePath(), jar.toAbsolutePath(),
        pids.toAbsolutePath(), jfr, vertx);
    if (minutes != null) {
      run.minutes = minutes;
    }
    int code;
    try {
      code = execute(run);
    } finally {
      vertx.close().await();
    }
    System.exit(code);
  }

  /** A whole number of at least 1, or 0 (refused as usage) for anything else. */
  private static int positive(String text) {
    try {
      return Math.max(0, Integer.parseInt(text));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int execute(Run run) throws Exception {
    JsonObject machine = Machine.describe();
    machine.put("loadAverageAtStart", Machine.loadAverage());
    System.out.printf("%s%s: %d cores, load average %s%n", run.scenario, run.quick ? " (quick)" : "",
        machine.getInteger("cores"), machine.getString("loadAverageAtStart"));
    run.report.put("scenario", run.scenario).put("quick", run.quick).put("startedAt", Instant.now().toString());
    run.tokens = new Tokens(run.vertx, run.work);
    Scenario scenario = switch (run.scenario) {
      case "overhead" -> Overhead::run;
      case "hold" -> Hold::run;
      case "soak" -> Soak::run;
      case "wrk" -> Wrk::run;
      case "fleet" -> FleetLoad::run;
      default -> Heavy::run;
    };
    String svg = null;
    try {
      svg = scenario.run(run);
    } catch (Exception e) {
      run.check("scenario ran to the end", false, e.toString());
      e.printStackTrace();
    }
    machine.put("loadAverageAtEnd", Machine.loadAverage());
    run.report.put("finishedAt", Instant.now().toString())
        .put("machine", machine)
        .put("settings", run.settings)
        .put("results", run.results)
        .put("checks", run.checks)
        .put("notes", run.notes)
        .put("passed", run.passed());
    Path json = run.out.resolve(run.scenario + ".json");
    Files.writeString(json, run.report.encodePrettily() + "\n", StandardCharsets.UTF_8);
    if (svg != null) {
      Files.writeString(run.out.resolve(run.scenario + ".svg"), svg, StandardCharsets.UTF_8);
    }
    System.out.printf("%s: %s -> %s%n", run.scenario, run.passed() ? "passed" : "FAILED", json);
    return run.passed() ? 0 : 1;
  }
}
