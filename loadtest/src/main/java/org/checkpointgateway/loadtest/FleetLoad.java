package org.checkpointgateway.loadtest;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code fleet}: three gateways as one fleet (docs/fleet.md), each a process with its own
 * embedded simulated runtime and pod ({@code ns-nI/bench-nI}, instant checkpoints that write
 * nothing), all load sent to n1. Measures the formation time, a forwarded checkpoint (n1 for
 * n2's pod) against a local one (n1's own) at 1, 16 and 256 in flight, and what callers see when
 * n3 is killed (SIGKILL) while requests for all three members' pods are in flight: every request
 * answered, counted by status, and the slowest answer.
 */
final class FleetLoad {

  static final int[] LEVELS = {1, 16, 256};
  static final int[] QUICK_LEVELS = {1, 16};
  static final String SEED = """
      # fleet: member %1$s's own pod, instant checkpoints that write nothing
      instantCheckpoints: true
      writeArchives: false
      pods:
        - namespace: ns-%1$s
          name: bench-%1$s
          containers:
            - name: app
              memoryBytes: 67108864
      """;
  /** How long three members may take to form (measured 20-60 s on 2 shared cores). */
  static final Duration FORMATION_WAIT = Duration.ofSeconds(180);
  private static final Pattern START_MARK = Pattern.compile("start: (.+) at (\\d+) ms");
  private static final Pattern JOINED = Pattern.compile("joined fleet \\S+ as \\S+ in (\\d+) ms");

  private FleetLoad() {
  }

  private record Member(String name, Child process, int port, HttpTarget http) {
  }

  static String run(Run run) throws Exception {
    int[] levels = run.quick ? QUICK_LEVELS : LEVELS;
    Duration warmupWindow = Duration.ofMillis(run.quick ? 500 : 2000);
    Duration warmup = Duration.ofMillis(run.quick ? 300 : 2000);
    Duration measure = Duration.ofMillis(run.quick ? 1000 : 8000);
    Duration drain = Duration.ofSeconds(30);
    int killInFlight = run.quick ? 16 : 64;
    Duration beforeKill = Duration.ofMillis(run.quick ? 1000 : 3000);
    Duration afterKill = Duration.ofMillis(run.quick ? 3000 : 6000);
    List<String> limits = List.of("--max-concurrent", "4096", "--max-queued", "100000",
        "--max-inflight-bytes", "1024Ti");
    String cluster = "loadtest-fleet-" + ProcessHandle.current().pid();
    run.settings.put("levels", new JsonArray(java.util.Arrays.stream(levels).boxed().toList()))
        .put("warmupPerTarget", WarmUp.rule(64, warmupWindow.toMillis() / 1000.0))
        .put("warmupPerPointSeconds", warmup.toMillis() / 1000.0)
        .put("measurePerPointSeconds", measure.toMillis() / 1000.0)
        .put("killInFlight", killInFlight)
        .put("killAfterSeconds", beforeKill.toMillis() / 1000.0)
        .put("loadAfterKillSeconds", afterKill.toMillis() / 1000.0)
        .put("gatewayArgs", new JsonArray(limits));
    List<Member> members = new ArrayList<>();
    try {
      int[] clusterPorts = {Stack.freePort(), Stack.freePort(), Stack.freePort()};
      long launched = System.nanoTime();
      JsonArray commands = new JsonArray();
      for (int i = 0; i < 3; i++) {
        String node = "n" + (i + 1);
        Path seed = run.work.resolve(node + ".yaml");
        Files.writeString(seed, SEED.formatted(node), StandardCharsets.UTF_8);
        int port = Stack.freePort();
        List<String> args = new ArrayList<>(List.of("-jar", run.jar.toString(),
            "--port", String.valueOf(port), "--simulator-pods", seed.toString(),
            "--checkpoint-dir", run.work.resolve(node).toString(), "--metrics-unauthenticated",
            "--cluster-name", cluster, "--node-name", node,
            "--cluster-port", String.valueOf(clusterPorts[i])));
        // n1 waits to be joined, the others join it: the layout docs/fleet.md recommends.
        if (i > 0) {
          args.addAll(List.of("--cluster-members", "127.0.0.1:" + clusterPorts[0]));
        }
        args.addAll(run.tokens.gatewayFlags());
        args.addAll(limits);
        Child child = Child.java(node, run.work, run.pidFile, memberJvm(run), args);
        commands.add(new JsonArray(child.command()));
        members.add(new Member(node, child, port, new HttpTarget(run.vertx, port, 512)));
      }
      run.settings.put("memberCommands", commands);
      // Three clustered JVMs starting at once on a busy machine: up to FORMATION_WAIT.
      long formedBy = launched + FORMATION_WAIT.toNanos();
      for (Member member : members) {
        while (!(gauge(member, "fleet_members") == 3
            && gauge(member, "fleet_directory_pods") == 3)) {
          member.process().checkAlive();
          if (System.nanoTime() > formedBy) {
            throw new IllegalStateException("the fleet did not form within " + FORMATION_WAIT
                + ": " + member.name() + " " + member.process().tail());
          }
          Stack.sleep(100); // the poll interval
        }
      }
      double formationSeconds = (System.nanoTime() - launched) / 1e9;
      String loadAtFormation = Machine.loadAverage();
      JsonObject joins = new JsonObject();
      JsonObject phases = new JsonObject();
      JsonObject cpu = new JsonObject();
      for (Member member : members) {
        cpu.put(member.name(), Cpu.seconds(member.process().pid()));
        String log = Files.readString(run.work.resolve(member.name() + ".log"));
        Matcher joined = JOINED.matcher(log);
        joins.put(member.name(), joined.find() ? Long.parseLong(joined.group(1)) : null);
        // The member's own StartClock lines: each phase in ms after its JVM started.
        JsonObject marks = new JsonObject();
        Matcher mark = START_MARK.matcher(log);
        while (mark.find()) {
          marks.put(mark.group(1), Long.parseLong(mark.group(2)));
        }
        phases.put(member.name(), marks);
      }
      run.results.put("formation", new JsonObject()
          .put("launchToAllSeeThreeSeconds", round(formationSeconds))
          .put("loadAverageAtFormation", loadAtFormation)
          .put("hazelcastJoinMsByMember", joins)
          .put("cpuSecondsAtFormationByMember", cpu)
          .put("startPhasesMsByMember", phases));
      System.out.printf(Locale.ROOT, "  formed in %.1f s from launch (load average %s); joins (ms) %s;"
          + " CPU s %s%n", formationSeconds, loadAtFormation, joins.encode(), cpu.encode());
      phases.forEach(entry -> System.out.printf(Locale.ROOT, "  %s start (ms after its JVM started): %s%n",
          entry.getKey(), ((JsonObject) entry.getValue()).encode()));

      HttpTarget front = members.get(0).http();
      String token = run.tokens.token("HS256");
      Call local = front.plain(uri("n1"), token, "\"items\"");
      Call forwarded = front.plain(uri("n2"), token, "\"items\"");
      Map<String, Call> targets = new LinkedHashMap<>();
      targets.put("local", local);
      targets.put("forwarded", forwarded);
      JsonObject warmUps = new JsonObject();
      for (Map.Entry<String, Call> target : targets.entrySet()) {
        warmUps.put(target.getKey(), WarmUp.untilSteady(target.getKey(), run.quick, () -> run.generator.closed(
            target.getValue(), 64, Duration.ZERO, warmupWindow, drain).throughput()));
      }
      run.results.put("warmUp", warmUps);
      JsonArray points = new JsonArray();
      JsonObject comparisons = new JsonObject();
      List<Chart.Series> series = new ArrayList<>();
      Map<String, List<double[]>> p50s = new LinkedHashMap<>();
      for (int level : levels) {
        Map<String, Generator.Point> at = new LinkedHashMap<>();
        // Level by level, both in turn: a noisy moment hits both alike.
        for (Map.Entry<String, Call> target : targets.entrySet()) {
          Generator.Point point = run.generator.closed(target.getValue(), level, warmup, measure,
              drain);
          at.put(target.getKey(), point);
          points.add(new JsonObject().put("target", target.getKey()).mergeIn(point.json()));
          p50s.computeIfAbsent(target.getKey(), k -> new ArrayList<>()).add(new double[] {level,
              point.latency().getValueAtPercentile(50) / 1000.0});
          System.out.printf(Locale.ROOT, "  %-10s %4d in flight: %8.0f/s  p50 %7.3f ms  p99 %7.3f ms  errors %s%n",
              target.getKey(), level, point.throughput(),
              point.latency().getValueAtPercentile(50) / 1000.0,
              point.latency().getValueAtPercentile(99) / 1000.0, point.errors());
          run.check(target.getKey() + " at " + level + ": no errors, none lost", point.clean(),
              point.answeredInAll() + " answered in all, errors " + point.errors() + ", lost "
                  + point.lost());
        }
        Generator.Point l = at.get("local");
        Generator.Point f = at.get("forwarded");
        comparisons.put(String.valueOf(level), new JsonObject()
            .put("addedP50Ms", ms(f.latency().getValueAtPercentile(50) - l.latency().getValueAtPercentile(50)))
            .put("addedP99Ms", ms(f.latency().getValueAtPercentile(99) - l.latency().getValueAtPercentile(99)))
            .put("localPerSecond", round(l.throughput()))
            .put("forwardedPerSecond", round(f.throughput()))
            .put("throughputRatio", l.throughput() > 0 ? round(f.throughput() / l.throughput()) : null));
      }
      run.results.put("points", points).put("comparisons", comparisons);
      JsonObject atOne = comparisons.getJsonObject("1");
      run.results.put("goals", new JsonArray().add(Run.goal(
          "a forwarded checkpoint adds at most 1 ms at p50 over a local one, 1 in flight (ms)",
          atOne.getDouble("addedP50Ms"), 1, atOne.getDouble("addedP50Ms") <= 1))
          .add(Run.goal("three members form a cluster in under 10 s, launch to all seeing three (s)",
              round(formationSeconds), 10, formationSeconds < 10)));
      p50s.forEach((name, line) -> series.add(new Chart.Series(name, Chart.COLORS[series.size()],
          false, line)));

      JsonObject kill = killUnderLoad(run, members, token, killInFlight, beforeKill, afterKill,
          drain);
      run.results.put("killUnderLoad", kill);
      run.results.getJsonArray("goals").add(Run.goal(
          "every caller answered within 3 s of the kill (slowest answer after it, s)",
          kill.getDouble("slowestAnswerAfterKillSeconds"), 3,
          kill.getDouble("slowestAnswerAfterKillSeconds") <= 3));
      run.note("three clustered JVMs, the generator and anything else running share the machine's "
          + "cores: the load average is in machine.loadAverageAt*");
      return Chart.svg("fleet: a forwarded checkpoint against a local one", run.quick
              ? "quick run: not a measurement" : "n1 for its own pod and for n2's, closed loop",
          List.of(new Chart.Panel("p50 by requests in flight", "in flight", "ms", true, false,
              java.util.Arrays.stream(levels).mapToObj(l -> new Chart.Tick(l, String.valueOf(l)))
                  .toList(), series)));
    } finally {
      for (Member member : members) {
        member.http().close();
        member.process().close();
      }
    }
  }

  /**
   * {@code inFlight} requests at all times to n1, for the three members' pods in turn; n3 is
   * killed after {@code before}; the load goes on for {@code after}. Every answer is counted by
   * status and text; the slowest answer that came after the kill is reported.
   */
  private static JsonObject killUnderLoad(Run run, List<Member> members, String token,
      int inFlight, Duration before, Duration after, Duration drain) throws Exception {
    HttpTarget front = members.get(0).http();
    Call[] calls = {front.plain(uri("n1"), token, "\"items\""),
        front.plain(uri("n2"), token, "\"items\""), front.plain(uri("n3"), token, "\"items\"")};
    AtomicInteger next = new AtomicInteger();
    AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    AtomicLong slowestAfterKill = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    Call mixed = () -> {
      long sent = System.nanoTime();
      Future<Void> answer = calls[Math.floorMod(next.getAndIncrement(), 3)].send();
      return answer.andThen(done -> {
        long now = System.nanoTime();
        if (done.succeeded()) {
          ok.incrementAndGet();
        }
        // A request sent before the kill and answered after it: how long its caller waited.
        if (now > killedAt.get()) {
          slowestAfterKill.accumulateAndGet(now - Math.max(sent, killedAt.get()), Math::max);
        }
      });
    };
    Member victim = members.get(2);
    // The kill happens on a thread of its own while the generator measures.
    Thread killer = new Thread(() -> {
      Stack.sleep(before.toMillis()); // the load's time before the kill, not a wait for a condition
      killedAt.set(System.nanoTime());
      try {
        victim.process().kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "fleet-killer");
    Generator.Point point = run.generator.closed(mixed, inFlight, Duration.ZERO,
        before.plus(after), drain, killer::start, () -> { });
    killer.join();
    long transport = point.errors().entrySet().stream()
        .filter(e -> !e.getKey().startsWith("HTTP ")).mapToLong(Map.Entry::getValue).sum();
    run.check("kill under load: every request answered with an HTTP status",
        point.lost() == 0 && transport == 0, point.answeredInAll() + " answered, " + point.lost()
            + " lost, " + transport + " transport failures; " + point.errors());
    System.out.printf(Locale.ROOT, "  kill of n3 under load: %d answered, by status %s, slowest after the kill %.3f s%n",
        point.answeredInAll(), byStatus(point, ok.get()).encode(), slowestAfterKill.get() / 1e9);
    JsonObject result = new JsonObject();
    result.put("point", point.json());
    return result.put("killedMember", victim.name())
        .put("slowestAnswerAfterKillSeconds", round(slowestAfterKill.get() / 1e9))
        .put("answeredOk", ok.get())
        .put("answersByStatus", byStatus(point, ok.get()))
        .put("lost", point.lost());
  }

  /**
   * The servers' JVM flags, and the class-data-sharing archive loadtest/run made from this jar
   * ({@code cds-training}, docs/operations.md) when there is one: half a member's start CPU.
   */
  static List<String> memberJvm(Run run) {
    Path archive = run.jar.resolveSibling(run.jar.getFileName().toString()
        .replaceFirst("\\.jar$", ".jsa"));
    List<String> flags = new ArrayList<>(Run.SERVER_JVM);
    if (Files.isRegularFile(archive)) {
      flags.add("-XX:SharedArchiveFile=" + archive);
    }
    return flags;
  }

  private static JsonObject byStatus(Generator.Point point, long ok) {
    JsonObject counts = new JsonObject().put("200", ok);
    point.errors().forEach(counts::put);
    return counts;
  }

  private static String uri(String node) {
    return "/checkpoint/ns-" + node + "/bench-" + node + "/app";
  }

  private static double gauge(Member member, String name) {
    try {
      String text = member.http().get("/metrics").await(5, TimeUnit.SECONDS);
      Matcher value = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$")
          .matcher(text);
      return value.find() ? Double.parseDouble(value.group(1)) : -1;
    } catch (Exception notYet) {
      return -1;
    }
  }

  private static double ms(long micros) {
    return Math.round(micros) / 1000.0;
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
