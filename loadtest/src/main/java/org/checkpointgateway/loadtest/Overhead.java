package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.sim.SimulatedRuntime;
import org.HdrHistogram.Histogram;

/**
 * {@code overhead}: what the gateway adds to a checkpoint. Checkpoints are instant and write
 * nothing, so only the path to the runtime is measured; side by side in one run, at the same
 * loads: the gateway (HS256, RS256, ES256 tokens), the runtime's CRI called directly (the floor),
 * a bare Vert.x HTTP server (the ceiling for any HTTP service on this machine), and the limit of
 * the gateway's own parts ({@link LimitProxy}: HTTP in, one CheckpointContainer out, nothing else).
 */
final class Overhead {

  static final int[] LEVELS = {1, 16, 256, 1024};
  /**
   * Runs per point, here and in {@link Wrk}: a median of five moves only when three runs do, a
   * median of three with two, and one run here can stray far from the next (at 1 in flight on
   * 2026-12-03 one round's gateway/limit ratio was 0.36, the next 1.04).
   */
  static final int ROUNDS = 5;
  static final String URI = "/checkpoint/default/bench/app";
  // A small weight: the gateway holds each checkpoint's memory size against the free space of
  // its directory, and 1,024 checkpoints of 64 MiB in flight outgrew a 24 GiB memory file
  // system (507 Insufficient Storage, rightly). Nothing is written whatever the weight.
  static final String SEED = """
      # overhead: instant checkpoints that write nothing
      instantCheckpoints: true
      writeArchives: false
      pods:
        - namespace: default
          name: bench
          containers:
            - name: app
              memoryBytes: 4194304
      """;

  private Overhead() {
  }

  /**
   * One run of a point: what the generator saw, the CPU seconds each process spent in it, and
   * the server's by kind of thread ({@link Cpu#byThreads}; null without a server).
   */
  private record Measured(Generator.Point point, double[] cpuBefore, double[] cpuAfter, double[] serverThreads) {
    /** The CPU per answer of each process in this run alone. */
    JsonObject cpuPerRequest() {
      return Overhead.cpuPerRequest(List.of(this));
    }
  }

  record Target(String key, String label, Call call, long[] pids) {
  }

  static String run(Run run) throws Exception {
    Duration warmupWindow = Duration.ofMillis(run.quick ? 300 : 2000);
    Duration warmup = Duration.ofMillis(run.quick ? 200 : 2000);
    Duration measure = Duration.ofMillis(run.quick ? 500 : 5000);
    // Each point is the median of this many runs, the targets taking turns run by run; its CPU per
    // answer is that of all its runs together.
    int rounds = run.quick ? 1 : ROUNDS;
    Duration drain = Duration.ofSeconds(30);
    // Admission must not be what limits: the point is the gateway's own cost per request.
    List<String> gatewayArgs = List.of("--max-concurrent", "4096", "--max-queued", "100000",
        "--max-inflight-bytes", "1024Ti");
    run.settings.put("levels", new JsonArray(java.util.Arrays.stream(LEVELS).boxed().toList()))
        .put("warmupPerTarget", WarmUp.rule(256, warmupWindow.toMillis() / 1000.0))
        .put("warmupPerPointSeconds", warmup.toMillis() / 1000.0)
        .put("measurePerPointSeconds", measure.toMillis() / 1000.0)
        .put("runsPerPoint", rounds)
        .put("gatewayArgs", new JsonArray(gatewayArgs))
        .put("bareServerJvmFlags", new JsonArray(Run.SERVER_JVM))
        .put("limitProxyJvmFlags", new JsonArray(Run.SERVER_JVM));
    try (Stack stack = Stack.start(run, SEED, gatewayArgs)) {
      try (Comparators servers = Comparators.start(run, stack)) {
        Child bare = servers.bare();
        Child limit = servers.limit();
        HttpTarget gateway = new HttpTarget(run.vertx, stack.port, LEVELS[LEVELS.length - 1]);
        HttpTarget bareHttp = new HttpTarget(run.vertx, servers.barePort(), LEVELS[LEVELS.length - 1]);
        HttpTarget limitHttp = new HttpTarget(run.vertx, servers.limitPort(), LEVELS[LEVELS.length - 1]);
        waitForAnswer(run, "the bare server", bare, bareHttp.plain("/", null, "items"));
        waitForAnswer(run, "the limit proxy", limit, limitHttp.plain(URI, null, "items"));
        run.settings.put("bareServerCommand", new JsonArray(bare.command()))
            .put("limitProxyCommand", new JsonArray(limit.command()));
        DirectTarget direct = new DirectTarget(run.vertx, stack.socket);
        String containerId = SimulatedRuntime.containerId("default", "bench", "app");
        // The floor's archives: beside the gateway's and the limit's, a directory of its own.
        ArchiveDirectory directArchives = new ArchiveDirectory(run.vertx,
            stack.archives.resolveSibling("direct-checkpoints"));
        directArchives.ensureExists().await();
        long gw = stack.gateway.pid();
        long sim = stack.simulator.pid();
        long self = ProcessHandle.current().pid();
        Target gatewayHs256 = new Target("gatewayHs256", "gateway, HS256",
            gateway.plain(URI, run.tokens.token("HS256"), "\"items\""), new long[] {gw, sim, self});
        Target directCri = new Target("direct", "direct CRI: CheckpointContainer",
            direct.checkpointOnly(containerId, directArchives, "default", "bench", "app"), new long[] {-1, sim, self});
        Target bareServer = new Target("bare", "bare Vert.x HTTP server", bareHttp.plain("/", null, "items"),
            new long[] {bare.pid(), -1, self});
        Target limitProxy = new Target("limit", "limit: minimal proxy", limitHttp.plain(URI, null, "items"),
            new long[] {limit.pid(), sim, self});
        List<Target> targets = List.of(gatewayHs256,
            new Target("gatewayRs256", "gateway, RS256", gateway.plain(URI, run.tokens.token("RS256"), "\"items\""),
                new long[] {gw, sim, self}),
            new Target("gatewayEs256", "gateway, ES256", gateway.plain(URI, run.tokens.token("ES256"), "\"items\""),
                new long[] {gw, sim, self}),
            directCri, bareServer, limitProxy);
        // The two the goals compare run back to back in every round.
        List<Target> roundOrder = List.of(gatewayHs256, limitProxy, targets.get(1), targets.get(2), directCri,
            bareServer);
        List<java.nio.file.Path> scratch = List.of(stack.archives, Comparators.limitArchives(stack),
            directArchives.path());
        JsonObject warmUps = new JsonObject();
        for (Target target : targets) {
          warmUps.put(target.key(), WarmUp.untilSteady(target.label(), run.quick, () -> {
            Scratch.clear(scratch);
            return run.generator.closed(target.call(), 256, Duration.ZERO, warmupWindow, drain).throughput();
          }));
        }
        run.results.put("warmUp", warmUps);
        Map<String, Map<Integer, Generator.Point>> points = new LinkedHashMap<>();
        Map<String, Map<Integer, JsonObject>> cpuByTarget = new LinkedHashMap<>();
        JsonArray pointsJson = new JsonArray();
        Map<Integer, Map<String, JsonArray>> ratiosOfEachRound = new LinkedHashMap<>();
        for (int level : LEVELS) {
          // Level by level, round after round, every target in each (in the order of inRound): a
          // noisy moment lands in one run of every target alike, and the median run of each is its
          // point.
          Map<String, List<Measured>> runs = new LinkedHashMap<>();
          for (int round = 0; round < rounds; round++) {
            for (Target target : inRound(roundOrder, round)) {
              Scratch.clear(scratch);
              double[][] cpu = new double[2][];
              Cpu.Reading[] threads = new Cpu.Reading[2];
              // The readings nearest the window's edges: the totals (the threads' take a few ms).
              Generator.Point point = run.generator.closed(target.call(), level, warmup, measure, drain,
                  () -> {
                    threads[0] = serverThreads(target.pids());
                    cpu[0] = cpu(target.pids());
                  }, () -> {
                    cpu[1] = cpu(target.pids());
                    threads[1] = serverThreads(target.pids());
                  });
              runs.computeIfAbsent(target.key(), k -> new java.util.ArrayList<>())
                  .add(new Measured(point, cpu[0], cpu[1], Cpu.used(threads[0], threads[1])));
            }
          }
          for (Target target : targets) {
            List<Measured> all = runs.get(target.key());
            Measured median = all.stream()
                .sorted(java.util.Comparator.comparingDouble(m -> m.point().throughput()))
                .toList().get(all.size() / 2);
            Generator.Point point = median.point();
            JsonObject cpuMs = cpuPerRequest(all);
            points.computeIfAbsent(target.key(), k -> new LinkedHashMap<>()).put(level, point);
            cpuByTarget.computeIfAbsent(target.key(), k -> new LinkedHashMap<>()).put(level, cpuMs);
            JsonArray everyRun = new JsonArray();
            all.forEach(m -> everyRun.add(Math.round(m.point().throughput())));
            JsonObject json = new JsonObject().put("target", target.key()).put("label", target.label())
                .mergeIn(point.json()).put("cpuMsPerRequest", cpuMs)
                .put("serverCpuMsPerRequestByThreads", Cpu.perRequestByThreads(
                    all.stream().map(Measured::serverThreads).toList(),
                    all.stream().mapToLong(m -> m.point().succeeded()).sum()))
                .put("throughputOfEachRun", everyRun)
                .put("cpuMsPerRequestOfEachRun", new JsonArray(all.stream().map(Measured::cpuPerRequest).toList()));
            pointsJson.add(json);
            System.out.printf(Locale.ROOT, "  %-36s %5d in flight: %9.0f/s  p50 %7.3f ms  p99 %7.3f ms  errors %s%n",
                target.label(), level, point.throughput(), point.latency().getValueAtPercentile(50) / 1000.0,
                point.latency().getValueAtPercentile(99) / 1000.0, point.errors());
            // Every run counts here, not only the median's.
            check(run, target.label() + " at " + level, all.stream().map(Measured::point).toList());
          }
          ratiosOfEachRound.put(level, limitRatioOfEachRound(runs));
        }
        run.results.put("points", pointsJson);
        JsonObject comparisons = compare(points, cpuByTarget);
        ratiosOfEachRound.forEach((level, byGateway) -> byGateway.forEach((key, ratios) ->
            comparisons.getJsonObject(String.valueOf(level)).getJsonObject(key).put("limitRatioOfEachRound", ratios)));
        run.results.put("comparisons", comparisons);
        JsonObject inTurns = inTurnsAtOne(run, gatewayHs256, limitProxy, scratch, warmup, drain);
        run.results.put("inTurnsAtOne", inTurns);
        // Open loop: a fixed arrival rate every target can keep up with (half the gateway's own
        // closed-loop rate at 256), latency from the intended send time.
        double rate = Math.max(50, Math.floor(points.get("gatewayHs256").get(256).throughput() / 2));
        Duration openFor = Duration.ofMillis(run.quick ? 1000 : 8000);
        JsonArray open = new JsonArray();
        for (Target target : List.of(gatewayHs256, directCri, bareServer, limitProxy)) {
          int count = (int) (rate * openFor.toMillis() / 1000);
          Generator.Point point = run.generator.open(i -> target.call(), count, rate, drain, Generator.Listener.NONE);
          open.add(new JsonObject().put("target", target.key()).put("label", target.label()).mergeIn(point.json()));
          System.out.printf(Locale.ROOT, "  open loop %-26s %6.0f/s: p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms%n",
              target.label(), rate, point.latency().getValueAtPercentile(50) / 1000.0,
              point.latency().getValueAtPercentile(99) / 1000.0, point.latency().getMaxValue() / 1000.0);
          check(run, "open loop " + target.label(), point);
        }
        run.results.put("openLoop", new JsonObject().put("ratePerSecond", rate)
            .put("why", "half the gateway's (HS256) closed-loop throughput at 256 in flight, so every target can keep up")
            .put("points", open));
        JsonObject at256 = comparisons.getJsonObject("256").getJsonObject("gatewayHs256");
        JsonObject at1 = comparisons.getJsonObject("1").getJsonObject("gatewayHs256");
        JsonArray goals = new JsonArray()
            .add(Run.goal("throughput at 256 in flight >= 0.9 of direct CRI (HS256)",
                at256.getDouble("throughputRatio"), 0.9, at256.getDouble("throughputRatio") >= 0.9))
            .add(Run.goal("added p99 at 1 in flight < 1 ms (HS256)",
                at1.getDouble("addedP99Ms"), 1.0, at1.getDouble("addedP99Ms") < 1.0));
        for (int level : LEVELS) {
          double ratio = comparisons.getJsonObject(String.valueOf(level)).getJsonObject("gatewayHs256")
              .getDouble("limitRatio");
          goals.add(Run.goal("throughput at " + level + " in flight >= 0.8 of the limit (HS256)", ratio, 0.8,
              ratio >= 0.8));
        }
        Double cpuRatio = at256.getDouble("serverCpuRatioToLimit");
        goals.add(Run.goal("gateway CPU per request at 256 in flight <= 1.3 x the limit's (HS256)",
            cpuRatio, 1.3, cpuRatio != null && cpuRatio <= 1.3));
        double addedP99InTurns = inTurns.getDouble("addedP99Ms");
        goals.add(Run.goal("added p99 over the limit at 1 in flight <= 0.3 ms (HS256, the two in turns)",
            addedP99InTurns, 0.3, addedP99InTurns <= 0.3));
        run.results.put("goals", goals);
        run.note("the generator, the gateway and the simulated runtime share this machine's "
            + Runtime.getRuntime().availableProcessors() + " cores: from 16 in flight on, throughput is bounded"
            + " by the CPU they share, and the direct and bare targets run without the gateway's process on"
            + " the cores; cpuMsPerRequest says what each process spent per answered request");
        gateway.close();
        bareHttp.close();
        limitHttp.close();
        direct.close();
        return chart(run, points, comparisons);
      }
    }
  }

  /**
   * The gateway and the limit at one request in flight, taking turns in blocks of requests: the
   * added latency of the gateway's own parts, with the machine's hiccups landing on both alike.
   * Three runs; the added percentiles are their medians.
   */
  private static JsonObject inTurnsAtOne(Run run, Target gateway, Target limit,
      List<java.nio.file.Path> scratch, Duration warmup, Duration drain) throws InterruptedException {
    Duration measure = Duration.ofMillis(run.quick ? 1000 : 10_000);
    int runs = run.quick ? 1 : 3;
    int block = 50;
    JsonArray each = new JsonArray();
    List<Double> addedP50 = new ArrayList<>();
    List<Double> addedP99 = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      Turns turns = new Turns(List.of(gateway.call(), limit.call()), block);
      List<Histogram> measured = new ArrayList<>();
      Scratch.clear(scratch);
      Generator.Point both = run.generator.closed(turns.call(), 1, warmup, measure, drain, turns::reset,
          () -> turns.latencies().forEach(latency -> measured.add(latency.histogram())));
      check(run, "gateway and limit in turns at 1", both);
      double p50 = p(measured.get(0), 50) - p(measured.get(1), 50);
      double p99 = p(measured.get(0), 99) - p(measured.get(1), 99);
      addedP50.add(p50);
      addedP99.add(p99);
      each.add(new JsonObject()
          .put(gateway.key(), Latency.percentiles(measured.get(0)))
          .put(limit.key(), Latency.percentiles(measured.get(1)))
          .put("errors", new JsonObject().put(gateway.key(), new JsonObject(new LinkedHashMap<>(
                  turns.latencies().get(0).errors())))
              .put(limit.key(), new JsonObject(new LinkedHashMap<>(turns.latencies().get(1).errors()))))
          .put("addedP50Ms", round(p50)).put("addedP99Ms", round(p99)));
      System.out.printf(Locale.ROOT, "  in turns at 1 in flight, run %d: gateway p50 %.3f p99 %.3f ms, limit p50 %.3f"
          + " p99 %.3f ms%n", i + 1, p(measured.get(0), 50), p(measured.get(0), 99), p(measured.get(1), 50),
          p(measured.get(1), 99));
    }
    return new JsonObject()
        .put("measureSecondsPerRun", measure.toMillis() / 1000.0)
        .put("requestsPerTurn", block)
        .put("addedP50Ms", round(median(addedP50)))
        .put("addedP99Ms", round(median(addedP99)))
        .put("runs", each)
        .put("meaning", "one request in flight, the gateway (HS256) and the limit taking turns in blocks of "
            + block + " requests: each percentile of the gateway's minus the limit's over the same seconds;"
            + " added*Ms are the medians of the runs'");
  }

  /**
   * Round by round, each gateway variant's run over the limit's run of the same round (back to
   * back for HS256, up to three runs apart for the others): how far one round strays from the
   * next, the spread a miss is read against.
   */
  private static Map<String, JsonArray> limitRatioOfEachRound(Map<String, List<Measured>> runs) {
    List<Measured> limit = runs.get("limit");
    Map<String, JsonArray> byGateway = new LinkedHashMap<>();
    for (String key : List.of("gatewayHs256", "gatewayRs256", "gatewayEs256")) {
      JsonArray ratios = new JsonArray();
      for (int i = 0; i < limit.size(); i++) {
        ratios.add(round(runs.get(key).get(i).point().throughput() / limit.get(i).point().throughput()));
      }
      byGateway.put(key, ratios);
    }
    return byGateway;
  }

  /**
   * The targets in the order they run in round {@code round}: as given in even rounds, reversed in
   * odd ones. A machine that slows down or speeds up over a level then weighs on every target
   * alike (the first of one round is the last of the next), and the two given first always run
   * back to back. Until 2026-12-03 every round ran in one order, the gateway first and the limit
   * last, half a minute apart.
   */
  static <T> List<T> inRound(List<T> targets, int round) {
    if (round % 2 == 0) {
      return targets;
    }
    List<T> reversed = new ArrayList<>(targets);
    java.util.Collections.reverse(reversed);
    return reversed;
  }

  private static double median(List<Double> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }

  private static void check(Run run, String name, Generator.Point point) {
    check(run, name, List.of(point));
  }

  /** Clean only if every one of {@code points} is; the detail names each. */
  private static void check(Run run, String name, List<Generator.Point> points) {
    run.check(name + ": no errors, none lost", points.stream().allMatch(Generator.Point::clean),
        String.join("; ", points.stream().map(point -> point.answeredInAll() + " answered in all, errors "
            + point.errors() + ", lost " + point.lost()).toList()));
  }

  /** The server's (the first process's) CPU by kind of thread so far; null without a server. */
  private static Cpu.Reading serverThreads(long[] pids) {
    return pids[0] < 0 ? null : Cpu.byThreads(pids[0]);
  }

  private static double[] cpu(long[] pids) {
    double[] seconds = new double[pids.length];
    for (int i = 0; i < pids.length; i++) {
      seconds[i] = pids[i] < 0 ? -1 : Cpu.seconds(pids[i]);
    }
    return seconds;
  }

  /**
   * CPU per answer of each process over all runs of a point: the CPU of every measured window
   * (read as it opened and closed) over all their answers. One run's reading moves by 15% from
   * run to run here; the pool of all of them moves less than any one.
   */
  private static JsonObject cpuPerRequest(List<Measured> runs) {
    String[] names = {"server", "simulator", "generator"};
    JsonObject json = new JsonObject();
    long requests = runs.stream().mapToLong(m -> m.point().succeeded()).sum();
    for (int i = 0; i < names.length; i++) {
      int process = i;
      if (requests > 0 && runs.stream().allMatch(m -> m.cpuBefore()[process] >= 0 && m.cpuAfter()[process] >= 0)) {
        double seconds = runs.stream().mapToDouble(m -> m.cpuAfter()[process] - m.cpuBefore()[process]).sum();
        json.put(names[i], Math.round(seconds * 1e6 / requests) / 1000.0);
      }
    }
    return json;
  }

  /** Ratios and added latencies of each gateway variant against the floor, the ceiling and the limit. */
  private static JsonObject compare(Map<String, Map<Integer, Generator.Point>> points,
      Map<String, Map<Integer, JsonObject>> cpu) {
    JsonObject byLevel = new JsonObject();
    for (int level : LEVELS) {
      Generator.Point direct = points.get("direct").get(level);
      Generator.Point bare = points.get("bare").get(level);
      Generator.Point limit = points.get("limit").get(level);
      Double limitCpu = cpu.get("limit").get(level).getDouble("server");
      JsonObject at = new JsonObject();
      for (String key : List.of("gatewayHs256", "gatewayRs256", "gatewayEs256")) {
        Generator.Point gw = points.get(key).get(level);
        Double gwCpu = cpu.get(key).get(level).getDouble("server");
        JsonObject c = new JsonObject()
            .put("throughputRatio", round(gw.throughput() / direct.throughput()))
            .put("throughputRatioToBareHttp", round(gw.throughput() / bare.throughput()))
            .put("limitRatio", round(gw.throughput() / limit.throughput()))
            .put("addedP50Ms", round(p(gw, 50) - p(direct, 50)))
            .put("addedP99Ms", round(p(gw, 99) - p(direct, 99)))
            .put("addedP50OverLimitMs", round(p(gw, 50) - p(limit, 50)))
            .put("addedP99OverLimitMs", round(p(gw, 99) - p(limit, 99)))
            .put("serverCpuMsPerRequest", gwCpu)
            .put("limitCpuMsPerRequest", limitCpu);
        if (gwCpu != null && limitCpu != null && limitCpu > 0) {
          c.put("serverCpuRatioToLimit", round(gwCpu / limitCpu));
        }
        at.put(key, c);
      }
      byLevel.put(String.valueOf(level), at);
    }
    byLevel.put("meaning", "throughputRatio: gateway / direct CheckpointContainer; throughputRatioToBareHttp:"
        + " gateway / a bare Vert.x HTTP server; limitRatio: gateway / the minimal proxy (the limit of the"
        + " gateway's own parts); added*Ms: gateway's percentile minus the direct one's; added*OverLimitMs:"
        + " minus the limit's; *CpuMsPerRequest: CPU of the gateway's / the proxy's process per answer");
    return byLevel;
  }

  /** Waits until {@code call} answers: the child has started serving. */
  static void waitForAnswer(Run run, String what, Child child, Call call) throws Exception {
    Stack.waitFor(what, child, () -> {
      try {
        call.send().await();
        return true;
      } catch (Exception notYet) {
        return false;
      }
    });
  }

  /**
   * The targets beside the gateway that are processes of their own: the bare server (ceiling) and
   * the minimal proxy on the stack's runtime (the limit), started alike.
   */
  record Comparators(Child bare, int barePort, Child limit, int limitPort) implements AutoCloseable {

    static Comparators start(Run run, Stack stack) throws Exception {
      int barePort = Stack.freePort();
      int limitPort = Stack.freePort();
      Child bare = Child.java("bare-server", run.work, run.pidFile, Run.SERVER_JVM,
          List.of("-cp", System.getProperty("java.class.path"), BareServer.class.getName(), String.valueOf(barePort)));
      Child limit;
      try {
        limit = Child.java("limit-proxy", run.work, run.pidFile, Run.SERVER_JVM,
            List.of("-cp", System.getProperty("java.class.path"), LimitProxy.class.getName(), String.valueOf(limitPort),
                stack.socket.toString(), limitArchives(stack).toString()));
      } catch (Exception e) {
        bare.close();
        throw e;
      }
      return new Comparators(bare, barePort, limit, limitPort);
    }

    /**
     * Where the limit's archives go: beside the gateway's, on the same file system (the scratch
     * directory of the instant scenarios, a memory file system when there is one, which
     * loadtest/run removes at the end), in a directory of their own: names made in two processes
     * could meet, and the gateway's listings and retention see only its own.
     */
    static java.nio.file.Path limitArchives(Stack stack) {
      return stack.archives.resolveSibling("limit-checkpoints");
    }

    @Override
    public void close() {
      limit.close();
      bare.close();
    }
  }

  private static double p(Generator.Point point, double percentile) {
    return p(point.latency(), percentile);
  }

  private static double p(Histogram latency, double percentile) {
    return latency.getValueAtPercentile(percentile) / 1000.0;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static String chart(Run run, Map<String, Map<Integer, Generator.Point>> points, JsonObject comparisons) {
    List<Chart.Tick> ticks = new ArrayList<>();
    for (int level : LEVELS) {
      ticks.add(new Chart.Tick(level, String.valueOf(level)));
    }
    Map<String, String> labels = Map.of("gatewayHs256", "gateway HS256", "gatewayRs256", "gateway RS256",
        "gatewayEs256", "gateway ES256", "direct", "direct CRI (floor)", "bare", "bare HTTP (ceiling)",
        "limit", "minimal proxy (limit)");
    List<Chart.Series> throughput = new ArrayList<>();
    List<Chart.Series> latency = new ArrayList<>();
    int color = 0;
    for (Map.Entry<String, Map<Integer, Generator.Point>> e : points.entrySet()) {
      String c = Chart.COLORS[color++ % Chart.COLORS.length];
      List<double[]> tp = new ArrayList<>();
      List<double[]> p50 = new ArrayList<>();
      List<double[]> p99 = new ArrayList<>();
      e.getValue().forEach((level, point) -> {
        tp.add(new double[] {level, point.throughput()});
        p50.add(new double[] {level, p(point, 50)});
        p99.add(new double[] {level, p(point, 99)});
      });
      String name = labels.get(e.getKey());
      throughput.add(new Chart.Series(name, c, false, tp));
      latency.add(new Chart.Series(name + " p50", c, false, p50));
      latency.add(new Chart.Series(name + " p99", c, true, p99));
    }
    JsonObject at256 = comparisons.getJsonObject("256").getJsonObject("gatewayHs256");
    String subtitle = String.format(Locale.ROOT, "%s%s; at 256 in flight (HS256): gateway/direct %.2f,"
            + " gateway/limit %.2f; load average %s", run.quick ? "QUICK run (not a measurement); " : "",
        Machine.describe().getString("date"), at256.getDouble("throughputRatio"), at256.getDouble("limitRatio"),
        Machine.loadAverage());
    return Chart.svg("overhead: instant checkpoints, closed loop", subtitle, List.of(
        new Chart.Panel("throughput (answers/s)", "requests in flight", "answers per second", true, true, ticks,
            throughput),
        new Chart.Panel("latency p50 (solid) and p99 (dashed)", "requests in flight", "milliseconds", true, true,
            ticks, latency)));
  }
}
