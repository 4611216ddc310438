package org.checkpointgateway.loadtest;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code soak}: a mixed load (plain checkpoints, event streams, jobs, archive downloads each
 * followed by a delete) for minutes, while the runtime, a separate process, is killed and started
 * again on the same socket a few times. No request may go unanswered, a failure must be of the
 * kind a runtime that is away causes and happen while it is away, and at the end the gateway's
 * live heap, RSS, threads and open files and the checkpoint directory must be back at their
 * baseline (within the tolerances below), taken after a warm-up.
 */
final class Soak {

  static final int DEFAULT_MINUTES = 10;
  /** Live heap after a full GC may exceed the baseline by this much, or by HEAP_SLACK_SHARE. */
  static final long HEAP_SLACK_BYTES = 16L << 20;
  static final double HEAP_SLACK_SHARE = 0.2;
  /** The JVM keeps what it committed and its code cache grows with the JIT: RSS gets more room. */
  static final long RSS_SLACK_BYTES = 64L << 20;
  static final double RSS_SLACK_SHARE = 0.1;
  /** The JIT's compiler threads come and go with the load. */
  static final int THREAD_SLACK = 4;
  /** A few descriptors (connections to the restarted runtime made lazily, per event loop) may differ. */
  static final int FD_SLACK = 4;
  /** How long after the runtime is ready again a failure still counts as caused by its absence. */
  static final long RESTART_GRACE_NANOS = TimeUnit.SECONDS.toNanos(3);
  static final long AWAY_MILLIS = 1000;
  /** What callers are told while the runtime is away (the kubelet's texts for gRPC Unavailable). */
  static final Pattern RUNTIME_AWAY = Pattern.compile("Unavailable");

  private Soak() {
  }

  /**
   * One restart of the runtime: stopped (by SIGKILL or SIGTERM), started again, the gateway ready
   * again (nanoTime).
   */
  record Restart(String signal, long killed, long started, long ready) {
  }

  /**
   * The gateway's heap is touched whole at start, so that RSS counts it from the baseline on:
   * without it RSS grows as young collections first reach each page of -Xms, which looks like
   * a leak and is not one.
   */
  static final List<String> GATEWAY_JVM = List.of("-XX:+AlwaysPreTouch");

  static String run(Run run) throws Exception {
    Duration soak = run.quick ? Duration.ofSeconds(16) : Duration.ofMinutes(run.minutes);
    int restarts = run.quick ? 2 : Math.max(3, run.minutes);
    Duration warm = run.quick ? Duration.ofSeconds(4) : Duration.ofSeconds(30);
    int workers = run.quick ? 6 : 12;
    List<String> gatewayArgs = List.of("--max-concurrent", "16", "--progress-interval", "100ms",
        "--heartbeat-interval", "1s", "--disk-reserve-bytes", "0");
    run.settings.put("soakSeconds", soak.toSeconds()).put("warmUpSeconds", warm.toSeconds())
        .put("restarts", restarts).put("restartSignals", "SIGKILL and SIGTERM in turn")
        .put("runtimeAwaySeconds", AWAY_MILLIS / 1000.0)
        .put("workers", workers).put("operations", new JsonArray(SoakLoad.KINDS))
        .put("gatewayArgs", new JsonArray(gatewayArgs))
        .put("tolerances", new JsonObject()
            .put("liveHeap", "baseline + max(" + (HEAP_SLACK_BYTES >> 20) + " MiB, "
                + (int) (HEAP_SLACK_SHARE * 100) + "%)")
            .put("rss", "baseline + max(" + (RSS_SLACK_BYTES >> 20) + " MiB, "
                + (int) (RSS_SLACK_SHARE * 100) + "%)")
            .put("threads", "baseline + " + THREAD_SLACK)
            .put("openFiles", "baseline + " + FD_SLACK)
            .put("checkpointDirectory", "the same files and bytes"))
        .put("expectedFailures", "a failure counts as expected when its text says " + RUNTIME_AWAY
            + " and it ran while the runtime was away (from its stop until "
            + RESTART_GRACE_NANOS / 1_000_000_000 + " s after the gateway was ready again)")
        .put("gatewayJvmExtra", new JsonArray(GATEWAY_JVM));
    try (Stack stack = Stack.start(run, seed(), gatewayArgs, GATEWAY_JVM)) {
      String token = run.tokens.hs256(SoakLoad.PERMISSIONS);
      Path dir = run.work.resolve("checkpoints");

      SoakLoad warmLoad = new SoakLoad(run.vertx, stack.port, token, workers);
      long warmEnds = System.nanoTime() + warm.toNanos();
      long warmLost = warmLoad.run(workers, () -> System.nanoTime() > warmEnds, Duration.ofSeconds(60));
      warmLoad.deleteRemaining().await(60, TimeUnit.SECONDS);
      warmLoad.close().await(10, TimeUnit.SECONDS);
      run.check("warm-up: every answer as expected", warmLost == 0 && warmLoad.failures.isEmpty()
              && warmLoad.unanswered.get() == 0,
          warmLoad.operations.get() + " operations, failures " + warmLoad.failures.size()
              + ", lost " + warmLost);
      // The worker pool starts its threads lazily: fill it now, as hold does.
      List<Future<String>> scrapes = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        scrapes.add(stack.metricsClient.get("/metrics"));
      }
      Future.all(scrapes).await(30, TimeUnit.SECONDS);
      quiet(stack);
      JsonObject baseline = snapshot(stack, dir);
      System.out.println("  baseline: " + baseline.encode());

      SoakLoad load = new SoakLoad(run.vertx, stack.port, token, workers);
      long t0 = System.nanoTime();
      JsonArray timeline = new JsonArray();
      List<Restart> done = new ArrayList<>();
      Thread sampler = new Thread(() -> sample(run, stack, dir, timeline, t0), "soak-sampler");
      sampler.setDaemon(true);
      sampler.start();
      Thread restarter = new Thread(() -> restart(run, stack, t0, soak, restarts, done), "soak-restarts");
      restarter.setDaemon(true);
      restarter.start();
      // The load goes on for the soak's time, and past it until the runtime is back from its last
      // restart and a checkpoint succeeded again (a slow machine starts a JVM slowly).
      long soakEnds = t0 + soak.toNanos();
      long giveUp = soakEnds + TimeUnit.MINUTES.toNanos(3);
      long lost = load.run(workers, () -> System.nanoTime() > giveUp
          || System.nanoTime() > soakEnds && !restarter.isAlive() && backAfterLast(load, done),
          Duration.ofSeconds(90));
      double loadSeconds = (System.nanoTime() - t0) / 1e9;
      restarter.join(60_000);
      int leftOver = load.deleteRemaining().await(60, TimeUnit.SECONDS);
      load.close().await(10, TimeUnit.SECONDS);
      quiet(stack);
      sampler.interrupt();
      sampler.join(10_000);
      JsonObject end = snapshot(stack, dir);
      System.out.println("  end: " + end.encode());

      judge(run, lost, load, done, baseline, end, restarts);
      run.results.put("loadSeconds", Math.round(loadSeconds * 10) / 10.0)
          .put("requests", new JsonObject()
              .put("operations", load.operations.get()).put("operationsLost", lost)
              .put("httpSent", load.sent.get()).put("httpAnswered", load.answered.get())
              .put("httpUnanswered", load.unanswered.get())
              .put("succeededByKind", counts(load.succeeded))
              .put("downloadedBytes", load.downloadedBytes.get())
              .put("deletesRetriedAfter409BeingDownloaded", load.deleteConflicts.get())
              .put("archivesDeletedAtTheEnd", leftOver))
          .put("restarts", restartsJson(done, t0))
          .put("baseline", baseline).put("end", end)
          .put("simulator", stack.simulatorStatus())
          .put("timeline", timeline);
      if (load.deleteConflicts.get() > 0) {
        run.note(load.deleteConflicts.get() + " deletes answered 409 \"being downloaded\" after the"
            + " caller's own download had ended (the download's lease is released a moment after its"
            + " last byte); each succeeded when tried again");
      }
      if (run.quick) {
        run.note("quick: " + soak.toSeconds() + " s and " + restarts + " restarts, not "
            + DEFAULT_MINUTES + " minutes");
      }
      return chart(run, timeline, done, t0);
    }
  }

  /** The checks: nothing lost, only expected failures, recovery, and everything back at baseline. */
  private static void judge(Run run, long lost, SoakLoad load, List<Restart> restarts,
      JsonObject baseline, JsonObject end, int planned) {
    run.check("every request answered",
        lost == 0 && load.unanswered.get() == 0 && load.sent.get() == load.answered.get(),
        load.answered.get() + " of " + load.sent.get() + " HTTP requests answered, "
            + load.unanswered.get() + " unanswered; operations lost " + lost);
    Map<String, Integer> expected = new TreeMap<>();
    Map<String, Integer> unexpected = new TreeMap<>();
    for (SoakLoad.Failure f : load.failures) {
      boolean during = restarts.stream().anyMatch(r -> f.endNanos() >= r.killed()
          && f.startNanos() <= r.ready() + RESTART_GRACE_NANOS);
      (during && RUNTIME_AWAY.matcher(f.reason()).find() ? expected : unexpected)
          .merge(f.kind() + ": " + f.reason(), 1, Integer::sum);
    }
    run.results.put("failures", new JsonObject().put("expectedByReason", new JsonObject(new TreeMap<>(expected)))
        .put("unexpectedByReason", new JsonObject(new TreeMap<>(unexpected))));
    run.check("failures only of the expected kinds, during restarts", unexpected.isEmpty(),
        "expected " + expected.values().stream().mapToInt(Integer::intValue).sum() + ", unexpected "
            + unexpected);
    run.check("the runtime restarted " + planned + " times, checkpoints succeeded after each",
        restarts.size() == planned && recovered(load, restarts), restarts.size() + " restarts done");
    run.check("every kind of operation succeeded",
        Stream.of("plain", "stream", "job", "archive").allMatch(k -> load.succeeded.containsKey(k)),
        "succeeded " + counts(load.succeeded).encode());
    back(run, "live heap", baseline, end, "liveHeapBytes", HEAP_SLACK_BYTES, HEAP_SLACK_SHARE);
    back(run, "RSS", baseline, end, "rssBytes", RSS_SLACK_BYTES, RSS_SLACK_SHARE);
    back(run, "threads", baseline, end, "threads", THREAD_SLACK, 0);
    back(run, "open files", baseline, end, "openFiles", FD_SLACK, 0);
    run.check("checkpoint directory back to baseline",
        end.getLong("checkpointDirFiles").equals(baseline.getLong("checkpointDirFiles"))
            && end.getLong("checkpointDirBytes").equals(baseline.getLong("checkpointDirBytes")),
        end.getLong("checkpointDirFiles") + " files, " + end.getLong("checkpointDirBytes")
            + " bytes; baseline " + baseline.getLong("checkpointDirFiles") + " files, "
            + baseline.getLong("checkpointDirBytes") + " bytes");
  }

  /** Whether a checkpoint succeeded after the last restart was over (cheap: for the load's loop). */
  private static boolean backAfterLast(SoakLoad load, List<Restart> restarts) {
    synchronized (restarts) {
      return restarts.isEmpty()
          || load.lastCheckpointSuccess.get() > restarts.get(restarts.size() - 1).ready();
    }
  }

  /** Whether a checkpoint succeeded after each restart was over. */
  private static boolean recovered(SoakLoad load, List<Restart> restarts) {
    synchronized (restarts) {
      return restarts.stream().allMatch(r ->
          load.checkpointSuccesses.stream().anyMatch(at -> at > r.ready()));
    }
  }

  private static void back(Run run, String what, JsonObject baseline, JsonObject end, String key,
      long slack, double share) {
    long before = baseline.getLong(key);
    long after = end.getLong(key);
    long allowed = before + Math.max(slack, (long) (before * share));
    run.check(what + " back to baseline", after >= 0 && after <= allowed,
        String.format(Locale.ROOT, "%d at the end, %d at baseline, at most %d allowed", after, before,
            allowed));
  }

  /**
   * Stops the runtime at even intervals, by SIGKILL and SIGTERM in turn, keeps it away a moment,
   * starts it again on the same socket.
   */
  private static void restart(Run run, Stack stack, long t0, Duration soak, int restarts,
      List<Restart> done) {
    try {
      for (int k = 1; k <= restarts; k++) {
        long at = t0 + soak.toNanos() * k / (restarts + 1);
        Thread.sleep(Math.max(0, (at - System.nanoTime()) / 1_000_000));
        long killed = System.nanoTime();
        boolean kill = k % 2 == 1;
        stack.stopSimulator(kill);
        Thread.sleep(AWAY_MILLIS);
        long started = System.nanoTime();
        stack.restartSimulator();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!ready(stack) && System.nanoTime() < until) {
          Thread.sleep(100);
        }
        synchronized (done) {
          done.add(new Restart(kill ? "SIGKILL" : "SIGTERM", killed, started, System.nanoTime()));
        }
        System.out.printf(Locale.ROOT, "  restart %d: %s at %.1f s, ready again after %.1f s%n", k,
            kill ? "SIGKILL" : "SIGTERM", (killed - t0) / 1e9, (System.nanoTime() - killed) / 1e9);
      }
    } catch (Exception e) {
      run.note("restarts stopped: " + e);
    }
  }

  private static boolean ready(Stack stack) {
    try {
      stack.metricsClient.get("/readyz").await(2, TimeUnit.SECONDS);
      return true;
    } catch (Exception notYet) {
      return false;
    }
  }

  /** Waits until no checkpoint runs at the gateway and no event stream holds bytes. */
  private static void quiet(Stack stack) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      Map<String, Double> m = stack.metrics();
      if (Stack.sum(m, "checkpoint_running", "") == 0 && Stack.sum(m, "checkpoint_queue_depth", "") == 0
          && Stack.sum(m, "event_stream_buffered_bytes", "") == 0) {
        break;
      }
      Stack.sleep(200);
    }
    // Connections the callers closed are closed on the gateway's side a moment later.
    Stack.sleep(1000);
  }

  private static JsonObject snapshot(Stack stack, Path dir) throws Exception {
    long[] files = directory(dir);
    return new JsonObject().put("liveHeapBytes", stack.gatewayLiveHeap())
        .put("rssBytes", stack.gatewayRss()).put("threads", stack.gatewayThreads())
        .put("openFiles", openFiles(stack)).put("checkpointDirFiles", files[0])
        .put("checkpointDirBytes", files[1]).put("threadsByName", stack.gatewayThreadNames());
  }

  private static long openFiles(Stack stack) {
    try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(stack.gateway.pid()), "fd"))) {
      return fds.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /** The files in the checkpoint directory and their bytes (hidden ones too). */
  private static long[] directory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return new long[] {0, 0};
    }
    long[] total = {0, 0};
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(f -> {
        total[0]++;
        try {
          total[1] += Files.size(f);
        } catch (IOException gone) {
          // deleted between the listing and the size: not there
          total[0]--;
        }
      });
    }
    return total;
  }

  private static void sample(Run run, Stack stack, Path dir, JsonArray timeline, long t0) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Map<String, Double> metrics;
        try {
          metrics = stack.metrics();
        } catch (Exception slow) {
          metrics = Map.of();
        }
        long[] files = directory(dir);
        JsonObject sample = new JsonObject()
            .put("seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0)
            .put("rssBytes", stack.gatewayRss())
            .put("heapUsedBytes", (long) Stack.sum(metrics, "jvm_memory_used_bytes", "area=\"heap\""))
            .put("threads", stack.gatewayThreads())
            .put("openFiles", openFiles(stack))
            .put("checkpointDirFiles", files[0])
            .put("checkpointRunning", (long) Stack.sum(metrics, "checkpoint_running", ""));
        synchronized (timeline) {
          timeline.add(sample);
        }
        Thread.sleep(run.quick ? 500 : 2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      run.note("sampling stopped: " + e);
    }
  }

  static String seed() {
    return """
        # soak: checkpoints of a fraction of a second that write small archives (64 KiB of pages)
        pagesCapBytes: 65536
        pods:
          - namespace: soak
            name: app
            containers:
              - {name: plain, memoryBytes: 4194304, checkpointSeconds: 0.1}
              - {name: stream, memoryBytes: 4194304, checkpointSeconds: 0.4}
              - {name: job, memoryBytes: 4194304, checkpointSeconds: 0.2}
        """;
  }

  private static JsonObject counts(Map<String, java.util.concurrent.atomic.AtomicLong> counts) {
    JsonObject json = new JsonObject();
    new TreeMap<>(counts).forEach((k, v) -> json.put(k, v.get()));
    return json;
  }

  private static JsonArray restartsJson(List<Restart> restarts, long t0) {
    JsonArray json = new JsonArray();
    for (Restart r : restarts) {
      json.add(new JsonObject().put("signal", r.signal()).put("stoppedAtSeconds", Math.round((r.killed() - t0) / 1e7) / 100.0)
          .put("startedAtSeconds", Math.round((r.started() - t0) / 1e7) / 100.0)
          .put("readyAtSeconds", Math.round((r.ready() - t0) / 1e7) / 100.0));
    }
    return json;
  }

  private static String chart(Run run, JsonArray timeline, List<Restart> restarts, long t0) {
    List<double[]> heap = new ArrayList<>();
    List<double[]> rss = new ArrayList<>();
    List<double[]> threads = new ArrayList<>();
    List<double[]> fds = new ArrayList<>();
    List<double[]> files = new ArrayList<>();
    double last = 0;
    for (Object o : timeline) {
      JsonObject s = (JsonObject) o;
      double t = s.getDouble("seconds");
      last = Math.max(last, t);
      heap.add(new double[] {t, s.getLong("heapUsedBytes") / 1e6});
      rss.add(new double[] {t, s.getLong("rssBytes") / 1e6});
      threads.add(new double[] {t, s.getLong("threads")});
      fds.add(new double[] {t, s.getLong("openFiles")});
      files.add(new double[] {t, s.getLong("checkpointDirFiles")});
    }
    List<Chart.Tick> ticks = new ArrayList<>();
    double step = Math.max(1, Math.ceil(last / 6));
    for (double t = 0; t <= last + step; t += step) {
      ticks.add(new Chart.Tick(t, String.valueOf((long) t)));
    }
    String kills = String.join(", ", restarts.stream()
        .map(r -> String.format(Locale.ROOT, "%.0f s", (r.killed() - t0) / 1e9)).toList());
    String subtitle = String.format(Locale.ROOT, "%sruntime stopped at %s; load average %s",
        run.quick ? "QUICK run (not a measurement); " : "", kills, Machine.loadAverage());
    return Chart.svg("soak: mixed load with runtime restarts", subtitle, List.of(
        new Chart.Panel("gateway memory", "seconds", "MB", false, false, ticks,
            List.of(new Chart.Series("heap used (sampled)", Chart.COLORS[3], false, heap),
                new Chart.Series("RSS", Chart.COLORS[5], true, rss))),
        new Chart.Panel("gateway threads, open files; archives", "seconds", "count", false, false, ticks,
            List.of(new Chart.Series("threads", Chart.COLORS[4], false, threads),
                new Chart.Series("open files", Chart.COLORS[0], false, fds),
                new Chart.Series("archives in the directory", Chart.COLORS[2], true, files)))));
  }
}
