package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code wrk}: the overhead scenario's HTTP targets (gateway, limit, ceiling) driven by Debian's
 * {@code wrk} instead of the harness's Java generator. wrk is written in C and costs the machine
 * far less per request, so the servers get more of the two cores: a second opinion on the same
 * ratios. The floor (direct CRI) is gRPC, which wrk cannot speak; the overhead scenario has it.
 * Each point is the median of three runs, the targets taking turns run by run.
 */
final class Wrk {

  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ");
  private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$",
      Pattern.MULTILINE);
  private static final Pattern BAD = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+),"
      + " write (\\d+), timeout (\\d+)");

  private static final int WARM_UP_WINDOW_SECONDS = 2;

  private Wrk() {
  }

  private record Target(String key, String label, int port, String path, String token, long pid) {
  }

  /**
   * One run: wrk's figures, and the server's CPU seconds over the run (in all, and by kind of
   * thread: {@link Cpu#byThreads}) with the requests wrk counted in it.
   */
  record Point(double rate, double p50Ms, double p99Ms, long errors, double serverCpuSeconds,
      List<double[]> serverThreads, long requests) {
    double serverCpuMs() {
      return requests > 0 ? serverCpuSeconds * 1000 / requests : 0;
    }

    JsonObject json() {
      return new JsonObject().put("throughput", round(rate)).put("p50Ms", round(p50Ms)).put("p99Ms", round(p99Ms))
          .put("errors", errors).put("serverCpuMsPerRequest", round(serverCpuMs()))
          .put("serverCpuMsPerRequestByThreads", Cpu.perRequestByThreads(serverThreads, requests));
    }

    /** The median run's figures with the CPU per request of all {@code runs} together. */
    Point withCpuOf(List<Point> runs) {
      return new Point(rate, p50Ms, p99Ms, errors, runs.stream().mapToDouble(Point::serverCpuSeconds).sum(),
          runs.stream().flatMap(run -> run.serverThreads().stream()).toList(),
          runs.stream().mapToLong(Point::requests).sum());
    }
  }

  static String run(Run run) throws Exception {
    String wrk = findWrk();
    int seconds = run.quick ? 1 : 8;
    int repeats = run.quick ? 1 : Overhead.ROUNDS;
    List<String> gatewayArgs = List.of("--max-concurrent", "4096", "--max-queued", "100000",
        "--max-inflight-bytes", "1024Ti");
    Path script = run.work.resolve("post.lua");
    Files.writeString(script, "wrk.method = \"POST\"\n", StandardCharsets.UTF_8);
    run.settings.put("wrk", wrk).put("levels", new JsonArray(Arrays.stream(Overhead.LEVELS).boxed().toList()))
        .put("secondsPerRun", seconds).put("warmupPerTarget", WarmUp.rule(256, WARM_UP_WINDOW_SECONDS)).put("runsPerPoint", repeats).put("gatewayArgs", new JsonArray(gatewayArgs));
    try (Stack stack = Stack.start(run, Overhead.SEED, gatewayArgs);
        Overhead.Comparators servers = Overhead.Comparators.start(run, stack)) {
      HttpTarget probe = new HttpTarget(run.vertx, servers.limitPort(), 1);
      Overhead.waitForAnswer(run, "the limit proxy", servers.limit(), probe.plain(Overhead.URI, null, "items"));
      HttpTarget bareProbe = new HttpTarget(run.vertx, servers.barePort(), 1);
      Overhead.waitForAnswer(run, "the bare server", servers.bare(), bareProbe.plain("/", null, "items"));
      List<Target> targets = List.of(
          new Target("gatewayHs256", "gateway, HS256", stack.port, Overhead.URI, run.tokens.token("HS256"),
              stack.gateway.pid()),
          new Target("limit", "limit: minimal proxy", servers.limitPort(), Overhead.URI, null, servers.limit().pid()),
          new Target("bare", "bare Vert.x HTTP server", servers.barePort(), "/", null, servers.bare().pid()));
      List<java.nio.file.Path> scratch = List.of(stack.archives, Overhead.Comparators.limitArchives(stack));
      JsonObject warmUps = new JsonObject();
      for (Target target : targets) {
        warmUps.put(target.key(), WarmUp.untilSteady(target.label(), run.quick, () -> {
          Scratch.clear(scratch);
          return once(wrk, script, target, 256, WARM_UP_WINDOW_SECONDS).rate();
        }));
      }
      run.results.put("warmUp", warmUps);
      JsonArray points = new JsonArray();
      JsonObject comparisons = new JsonObject();
      for (int level : Overhead.LEVELS) {
        // Round after round, every target in each (in the order of Overhead.inRound): a noisy
        // moment (this machine has them) lands in one run of each target, not in all runs of one.
        List<List<Point>> runsByTarget = new ArrayList<>();
        targets.forEach(target -> runsByTarget.add(new ArrayList<>()));
        for (int i = 0; i < repeats; i++) {
          for (Target target : Overhead.inRound(targets, i)) {
            Scratch.clear(scratch);
            runsByTarget.get(targets.indexOf(target)).add(once(wrk, script, target, level, seconds));
          }
        }
        Point[] byTarget = new Point[targets.size()];
        for (int t = 0; t < targets.size(); t++) {
          Target target = targets.get(t);
          Point median = median(runsByTarget.get(t)).withCpuOf(runsByTarget.get(t));
          byTarget[t] = median;
          points.add(new JsonObject().put("target", target.key()).put("label", target.label()).put("inFlight", level)
              .mergeIn(median.json()).put("serverCpuMsPerRequestOfEachRun", new JsonArray(
                  runsByTarget.get(t).stream().map(r -> round(r.serverCpuMs())).toList()))
              .put("throughputOfEachRun", new JsonArray(
                  runsByTarget.get(t).stream().map(r -> round(r.rate())).toList())));
          System.out.printf(Locale.ROOT, "  %-26s %5d in flight: %9.0f/s  p50 %7.3f ms  p99 %7.3f ms"
                  + "  server CPU %.3f ms/request  errors %d%n", target.label(), level, median.rate(), median.p50Ms(),
              median.p99Ms(), median.serverCpuMs(), median.errors());
          // Every run counts here, not only the median's.
          long errors = runsByTarget.get(t).stream().mapToLong(Point::errors).sum();
          run.check("wrk " + target.label() + " at " + level + ": no errors", errors == 0,
              errors + " errors (non-2xx or socket) in " + repeats + " runs");
        }
        Point gateway = byTarget[0];
        Point limit = byTarget[1];
        // Round by round (the two ran seconds apart): how far one run's ratio strays from the
        // median's, the spread a miss by a hundredth is to be read against.
        JsonArray ratioOfEachRound = new JsonArray();
        for (int i = 0; i < repeats; i++) {
          ratioOfEachRound.add(round(runsByTarget.get(0).get(i).rate() / runsByTarget.get(1).get(i).rate()));
        }
        comparisons.put(String.valueOf(level), new JsonObject()
            .put("limitRatio", round(gateway.rate() / limit.rate()))
            .put("limitRatioOfEachRound", ratioOfEachRound)
            .put("throughputRatioToBareHttp", round(gateway.rate() / byTarget[2].rate()))
            .put("addedP50OverLimitMs", round(gateway.p50Ms() - limit.p50Ms()))
            .put("addedP99OverLimitMs", round(gateway.p99Ms() - limit.p99Ms()))
            .put("serverCpuRatioToLimit", round(gateway.serverCpuMs() / limit.serverCpuMs())));
      }
      run.results.put("points", points).put("comparisons", comparisons);
      run.results.put("syscallsPerRequestAt256", syscalls(run, wrk, script, targets.subList(0, 2), scratch,
          seconds));
      run.results.put("profiles", profiles(run, wrk, script, targets.subList(0, 2), scratch, seconds));
      run.note("wrk drives HTTP/1.1 keep-alive connections (one per request in flight) from "
          + "min(2, in flight) threads; the medians of " + repeats + " runs of " + seconds + " s per point, the"
          + " targets taking turns run by run; server CPU per request over all of a point's runs");
      probe.close();
      bareProbe.close();
    }
    return null;
  }

  /** One wrk run against a target; CPU of the target's process over that run. */
  private static Point once(String wrk, Path script, Target target, int connections, int seconds)
      throws IOException, InterruptedException {
    return once(List.of(), wrk, script, target, connections, seconds);
  }

  /** As above, with {@code prefix} before wrk's command (perf counting the target's syscalls). */
  private static Point once(List<String> prefix, String wrk, Path script, Target target,
      int connections, int seconds) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(wrk, "-t", String.valueOf(Math.min(2, connections)),
        "-c", String.valueOf(connections), "-d", seconds + "s", "--latency", "--timeout", "30s",
        "-s", script.toString()));
    if (target.token() != null) {
      command.addAll(List.of("-H", "Authorization: Bearer " + target.token()));
    }
    command.add("http://127.0.0.1:" + target.port() + target.path());
    Cpu.Reading threadsBefore = Cpu.byThreads(target.pid());
    double cpuBefore = Cpu.seconds(target.pid());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("wrk failed: " + output);
    }
    double cpuAfter = Cpu.seconds(target.pid());
    double[] threadsUsed = Cpu.used(threadsBefore, Cpu.byThreads(target.pid()));
    double rate = number(RATE, output, 1);
    double p50 = 0;
    double p99 = 0;
    Matcher m = PERCENTILE.matcher(output);
    while (m.find()) {
      double ms = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
        case "us" -> 0.001;
        case "s" -> 1000.0;
        default -> 1.0;
      };
      if (m.group(1).equals("50")) {
        p50 = ms;
      } else {
        p99 = ms;
      }
    }
    long errors = (long) number(BAD, output, 1);
    Matcher socket = SOCKET_ERRORS.matcher(output);
    if (socket.find()) {
      for (int g = 1; g <= 4; g++) {
        errors += Long.parseLong(socket.group(g));
      }
    }
    // The CPU reading also spans wrk's start, its connecting and closing: the same for every target.
    return new Point(rate, p50, p99, errors, cpuAfter - cpuBefore, Collections.singletonList(threadsUsed),
        (long) number(REQUESTS, output, 1));
  }

  /**
   * One more run at 256 in flight per target with perf counting the server's syscalls while wrk
   * runs: what each asks of the kernel per request. Skipped, and said so, without perf.
   */
  private static JsonObject syscalls(Run run, String wrk, Path script, List<Target> targets,
      List<Path> scratch, int seconds) throws IOException, InterruptedException {
    String perf = Syscalls.findPerf();
    JsonObject byTarget = new JsonObject();
    if (perf == null) {
      run.note("syscalls per request not counted: perf is not installed (Debian's linux-perf)");
      return byTarget.put("perf", "not installed");
    }
    for (Target target : targets) {
      Scratch.clear(scratch);
      Path output = run.work.resolve("syscalls-" + target.key() + ".csv");
      JsonObject perRequest;
      try {
        Point point = once(Syscalls.around(perf, target.pid(), output), wrk, script, target, 256, seconds);
        perRequest = Syscalls.perRequest(Syscalls.counts(output), point.requests());
      } catch (IllegalStateException refused) {
        // perf exits before running wrk when it may not trace (perf_event_paranoid, no tracefs).
        String said = refused.getMessage().lines().skip(1).findFirst().orElse(refused.getMessage());
        perRequest = new JsonObject().put("perf", "could not count: " + said);
      }
      byTarget.put(target.key(), perRequest);
      System.out.printf(Locale.ROOT, "  syscalls per request, %s at 256 in flight: %s%n", target.label(),
          Syscalls.describe(perRequest));
    }
    return byTarget;
  }

  /**
   * One more run per level and target with async-profiler attached ({@link Profiler}): where each
   * server's CPU per request goes, by part ({@link Stacks}), to explain the ratios above. The
   * collapsed stacks are kept in {@code OUT/wrk-profiles/} (flame graph tools read them). A
   * machine the profiler is not made for is said so and skipped; a server the profiler cannot
   * attach to, or whose profile cannot be read, fails a check.
   */
  private static JsonObject profiles(Run run, String wrk, Path script, List<Target> targets,
      List<Path> scratch, int seconds) throws IOException, InterruptedException {
    Path kept = Files.createDirectories(run.out.resolve("wrk-profiles"));
    Profiler profiler;
    try {
      profiler = Profiler.in(run.work, kept);
    } catch (IllegalStateException none) {
      run.note("not profiled: " + none.getMessage());
      return new JsonObject().put("profiler", "none: " + none.getMessage());
    }
    JsonObject byLevel = new JsonObject();
    for (int level : Overhead.LEVELS) {
      JsonObject byTarget = new JsonObject();
      for (Target target : targets) {
        String what = "profile " + target.label() + " at " + level + ": ";
        Scratch.clear(scratch);
        Path stacks = kept.resolve(target.key() + "-" + level + ".collapsed");
        Point point;
        JsonObject profile;
        try {
          profiler.start(target.pid());
          try {
            point = once(wrk, script, target, level, seconds);
          } catch (IOException | InterruptedException | RuntimeException failure) {
            profiler.stopAfter(target.pid(), failure);
            throw failure;
          }
          profiler.stop(target.pid(), stacks);
          profile = Stacks.perRequest(stacks, point.requests());
        } catch (Profiler.Refused | IOException failure) {
          run.check(what + "profiled", false, failure.getMessage());
          continue;
        }
        profile.put("serverCpuMsPerRequest", round(point.serverCpuMs()))
            .put("errors", point.errors()).put("stacks", run.out.relativize(stacks).toString());
        byTarget.put(target.key(), profile);
        run.check(what + "samples taken", profile.getLong("samples") > 0 && point.requests() > 0,
            profile.getLong("samples") + " samples over " + point.requests() + " requests");
        run.check(what + "no errors", point.errors() == 0, point.errors() + " errors (non-2xx or socket)");
        System.out.printf(Locale.ROOT, "  profile, %s at %d in flight: %s us per request (%s)%n", target.label(),
            level, profile.getValue("totalMicrosPerRequest"), profile.getJsonObject("microsPerRequest").encode());
      }
      byLevel.put(String.valueOf(level), byTarget);
    }
    run.note("profiles: async-profiler " + Profiler.SETTINGS + " over one more run of " + seconds
        + " s per level and target, from attach to detach (the profiler costs the server about a"
        + " tenth); microseconds of CPU per request by part, as docs/performance.md reads them");
    return byLevel;
  }

  private static double number(Pattern pattern, String text, int group) {
    Matcher m = pattern.matcher(text);
    return m.find() ? Double.parseDouble(m.group(group)) : 0;
  }

  private static Point median(List<Point> runs) {
    List<Point> sorted = new ArrayList<>(runs);
    sorted.sort((a, b) -> Double.compare(a.rate(), b.rate()));
    return sorted.get(sorted.size() / 2);
  }

  private static String findWrk() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "wrk");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException("wrk is not installed: apt-get install wrk (Debian's package)");
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
