package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code hold}: 10,000 checkpoint requests open at once, each a simulated checkpoint of 20 s,
 * every limit raised so that all of them run at the runtime together; half plain, half streaming
 * events. All must complete, none may be lost; the gateway's heap, RSS and threads are read
 * before, at the peak and after.
 */
final class Hold {

  private static final int CONTAINERS_PER_POD = 10;
  private static final long SAMPLE_MILLIS = 500;

  private Hold() {
  }

  static String run(Run run) throws Exception {
    // LOADTEST_HOLD_REQUESTS: a smaller full run, to investigate (the figures say how many).
    int count = Integer.parseInt(System.getenv().getOrDefault("LOADTEST_HOLD_REQUESTS",
        run.quick ? "400" : "10000"));
    double holdSeconds = run.quick ? 5 : 20;
    double rampSeconds = run.quick ? 1 : 5;
    int streams = Integer.parseInt(System.getenv().getOrDefault("LOADTEST_SIM_STREAMS", "1000"));
    List<String> gatewayArgs = new java.util.ArrayList<>(List.of("--max-concurrent",
        String.valueOf(count), "--max-queued", String.valueOf(count), "--max-inflight-bytes", "1024Ti"));
    // LOADTEST_HOLD_GATEWAY_ARGS: more gateway flags, to investigate (recorded in the settings).
    String extra = System.getenv().getOrDefault("LOADTEST_HOLD_GATEWAY_ARGS", "").strip();
    if (!extra.isEmpty()) {
      gatewayArgs.addAll(List.of(extra.split("\\s+")));
    }
    run.settings.put("requests", count).put("checkpointSeconds", holdSeconds).put("rampSeconds", rampSeconds)
        .put("plainShare", 0.5).put("simulatorHttp2MaxConcurrentStreams", streams)
        .put("gatewayArgs", new JsonArray(gatewayArgs))
        .put("heapMeasure", "live heap: jcmd GC.run then GC.heap_info (used); the sampled series is"
            + " jvm_memory_used_bytes{area=heap} from /metrics, garbage included");
    try (Stack stack = Stack.start(run, seed(count, holdSeconds, streams), gatewayArgs)) {
      HttpTarget http = new HttpTarget(run.vertx, stack.port, count + 64);
      String token = run.tokens.token("HS256");
      // Warm-up on a quick container: classes loaded, pools and JIT started, before "before".
      Call warmPlain = http.plain("/checkpoint/hold/warm/app", token, "\"items\"");
      Call warmEvents = http.events("/checkpoint/hold/warm/app", token, t -> { });
      Duration warm = Duration.ofMillis(run.quick ? 500 : 5000);
      Generator.Point w1 = run.generator.closed(warmPlain, 16, Duration.ZERO, warm, Duration.ofSeconds(30));
      Generator.Point w2 = run.generator.closed(warmEvents, 16, Duration.ZERO, warm, Duration.ofSeconds(30));
      run.check("warm-up: no errors, none lost", w1.clean() && w2.clean(), "plain " + w1.errors() + ", events " + w2.errors());
      // The gateway's worker pool (20 threads at most) starts its threads lazily, one per task
      // until full; /metrics runs there. Fill it now, so that the sampler's scrapes below do not
      // pass for threads made by open requests.
      List<io.vertx.core.Future<String>> scrapes = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        scrapes.add(stack.metricsClient.get("/metrics"));
      }
      io.vertx.core.Future.all(scrapes).await();
      Stack.sleep(1000);
      JsonObject before = snapshot(stack, 0);
      System.out.println("  before: " + before.encode());

      Recorder plainLatency = new Recorder(Latency.MAX_MICROS, 3);
      Recorder eventLatency = new Recorder(Latency.MAX_MICROS, 3);
      AtomicLong sent = new AtomicLong();
      AtomicLong answered = new AtomicLong();
      JsonArray timeline = new JsonArray();
      AtomicReference<JsonObject> peak = new AtomicReference<>();
      long holdNanos = (long) (holdSeconds * 1e9);
      long t0 = System.nanoTime();
      Thread sampler = new Thread(() -> sample(run, stack, count, sent, answered, timeline, peak, t0), "hold-sampler");
      sampler.setDaemon(true);
      sampler.start();
      Generator.Point point = run.generator.open(i -> i % 2 == 0
              ? http.plain(uri(i), token, "\"items\"")
              : http.events(uri(i), token, t -> { }),
          count, count / rampSeconds, Duration.ofSeconds((long) holdSeconds + 120), new Generator.Listener() {
            @Override
            public void sent(int index) {
              sent.incrementAndGet();
            }

            @Override
            public void answered(int index, boolean succeeded, long nanos) {
              answered.incrementAndGet();
              if (succeeded) {
                // What the gateway added to the checkpoint's own time (from the intended send).
                (index % 2 == 0 ? plainLatency : eventLatency).recordValue(
                    Math.max(1, Math.min(Latency.MAX_MICROS, (nanos - holdNanos) / 1000)));
              }
            }
          });
      sampler.interrupt();
      sampler.join(60_000);
      if (sampler.isAlive()) {
        run.note("the sampler did not stop within 60 s of the last answer; its later samples are not kept");
      }
      JsonArray samples;
      synchronized (timeline) {
        samples = timeline.copy();
      }
      Stack.sleep(2000);
      JsonObject after = snapshot(stack, count - answered.get());
      System.out.println("  after: " + after.encode());
      JsonObject status = stack.simulatorStatus();
      http.close();

      JsonObject peakJson = peak.get() == null ? new JsonObject() : peak.get();
      long open = peakJson.getLong("openRequests", 0L);
      long peakHeap = peakJson.getLong("liveHeapBytes", -1L);
      long beforeHeap = before.getLong("liveHeapBytes");
      Histogram plain = plainLatency.getIntervalHistogram();
      Histogram events = eventLatency.getIntervalHistogram();
      JsonObject results = new JsonObject()
          .put("requests", point.json())
          .put("addedLatencyMsPlain", Latency.percentiles(plain))
          .put("addedLatencyMsEvents", Latency.percentiles(events))
          .put("addedLatencyMeaning", "time from the intended send to the answer (the end of the event stream)"
              + " minus the " + holdSeconds + " s the simulated checkpoint takes")
          .put("before", before).put("peak", peakJson).put("after", after)
          .put("bytesPerOpenRequestLiveHeap", open > 0 ? (peakHeap - beforeHeap) / open : -1)
          .put("bytesPerOpenRequestRss", open > 0
              ? (peakJson.getLong("rssBytes", 0L) - before.getLong("rssBytes")) / open : -1)
          .put("maxRssBytes", samples.stream().mapToLong(o -> ((JsonObject) o).getLong("rssBytes")).max().orElse(-1))
          .put("maxHeapUsedBytesSampled", samples.stream()
              .mapToLong(o -> ((JsonObject) o).getLong("heapUsedBytes")).max().orElse(-1))
          .put("maxThreads", samples.stream().mapToLong(o -> ((JsonObject) o).getLong("threads")).max().orElse(-1))
          .put("simulator", status)
          .put("timeline", samples);
      run.results.mergeIn(results);
      run.check("every request answered as expected", point.clean() && point.succeeded() == count,
          point.succeeded() + " of " + count + " succeeded, errors " + point.errors() + ", lost " + point.lost());
      String held = "the runtime's high-water mark: " + status.getInteger("maxActive") + " of " + count;
      if (run.quick) {
        // Seconds-long checkpoints on a busy CI machine: whether they overlapped is timing, not a bug.
        run.note("quick: " + held + " held at once (checked only in a full run)");
      } else {
        run.check("all held at the runtime at once", status.getInteger("maxActive") >= count, held);
      }
      run.check("the runtime completed every checkpoint, cancelled none",
          status.getLong("cancelled") == 0 && status.getLong("failed") == 0,
          "completed " + status.getLong("completed") + ", cancelled " + status.getLong("cancelled")
              + ", failed " + status.getLong("failed"));
      long threadsBefore = before.getLong("threads");
      long threadsPeak = Math.max(peakJson.getLong("threads", 0L), results.getLong("maxThreads"));
      run.results.put("goals", new JsonArray()
          .add(Run.goal("live heap with " + open + " requests open < 200 MB", peakHeap / 1e6, 200, peakHeap < 200e6 && open >= count))
          .add(Run.goal("thread count fixed (most threads seen minus threads before)", threadsPeak - threadsBefore, 0,
              threadsPeak == threadsBefore)));
      if (run.quick) {
        run.note("quick: " + count + " requests of " + holdSeconds + " s, not 10,000 of 20 s");
      }
      run.note("the generator holds its " + count + " connections in the same 2-core machine as the gateway;"
          + " the latency added at the peak includes the generator's own work and a full GC of the gateway"
          + " forced by jcmd to read its live heap");
      return chart(run, plain, events, samples, count, holdSeconds);
    }
  }

  static String uri(int i) {
    return "/checkpoint/hold/p" + (i / CONTAINERS_PER_POD) + "/c" + (i % CONTAINERS_PER_POD);
  }

  // 1 MiB per container: the gateway holds each checkpoint's memory size against the free disk,
  // and 10,000 of 16 MiB needed 160 GiB free (with 79 GiB, half were refused 507). Nothing is
  // written whatever the weight; what an open request costs does not depend on it.
  static String seed(int count, double holdSeconds, int streams) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, """
        # hold: %d containers whose checkpoints take %s s and write nothing
        writeArchives: false
        http2MaxConcurrentStreams: %d
        pods:
          - namespace: hold
            name: warm
            containers:
              - {name: app, memoryBytes: 1048576, checkpointSeconds: 0.02}
        """, count, holdSeconds, streams));
    for (int pod = 0; pod * CONTAINERS_PER_POD < count; pod++) {
      s.append("  - namespace: hold\n    name: p").append(pod).append("\n    containers:\n");
      for (int c = 0; c < CONTAINERS_PER_POD && pod * CONTAINERS_PER_POD + c < count; c++) {
        s.append(String.format(Locale.ROOT, "      - {name: c%d, memoryBytes: 1048576, checkpointSeconds: %s}%n",
            c, holdSeconds));
      }
    }
    return s.toString();
  }

  private static JsonObject snapshot(Stack stack, long open) throws Exception {
    long heap = stack.gatewayLiveHeap();
    return new JsonObject().put("openRequests", open).put("liveHeapBytes", heap)
        .put("rssBytes", stack.gatewayRss()).put("threads", stack.gatewayThreads())
        .put("threadsByName", stack.gatewayThreadNames());
  }

  /** Every half second: open requests, RSS, heap, threads; the peak snapshot once all are held. */
  private static void sample(Run run, Stack stack, int count, AtomicLong sent, AtomicLong answered,
                             JsonArray timeline, AtomicReference<JsonObject> peak, long t0) {
    long stableSince = -1;
    long lastActive = -1;
    long mostActive = 0;
    try {
      while (!Thread.currentThread().isInterrupted()) {
        JsonObject status = stack.simulatorStatus();
        Map<String, Double> metrics;
        try {
          metrics = stack.metrics();
        } catch (Exception slow) {
          if (slow instanceof InterruptedException || slow.getCause() instanceof InterruptedException) {
            // Stopped while waiting for /metrics: the wait swallowed the interrupt, which would
            // keep this loop sampling into the timeline while the run reads it.
            return;
          }
          // An overloaded gateway may not answer /metrics in time: keep sampling the rest.
          metrics = Map.of();
        }
        long open = sent.get() - answered.get();
        long active = status.getLong("active");
        JsonObject sample = new JsonObject()
            .put("seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0)
            .put("openRequests", open)
            .put("activeAtRuntime", active)
            .put("rssBytes", stack.gatewayRss())
            .put("heapUsedBytes", (long) Stack.sum(metrics, "jvm_memory_used_bytes", "area=\"heap\""))
            .put("threads", stack.gatewayThreads())
            .put("checkpointRunning", (long) Stack.sum(metrics, "checkpoint_running", ""));
        synchronized (timeline) {
          timeline.add(sample);
        }
        // The peak: every request sent and the runtime holding them all (or no longer growing).
        if (peak.get() == null && sent.get() >= count) {
          if (active != lastActive) {
            lastActive = active;
            stableSince = System.nanoTime();
          }
          mostActive = Math.max(mostActive, active);
          // All held; or the runtime's count falls (the peak just passed) or stays put for 2 s.
          if (active >= count || active < mostActive || System.nanoTime() - stableSince > 2_000_000_000L) {
            JsonObject snapshot = snapshot(stack, sent.get() - answered.get()).put("activeAtRuntime", active)
                .put("heapTop", stack.gatewayHeapTop(40));
            peak.set(snapshot);
            System.out.println("  peak: " + snapshot.encode());
          }
        }
        Thread.sleep(SAMPLE_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      run.note("sampling stopped: " + e);
    }
  }

  private static String chart(Run run, Histogram plain, Histogram events, JsonArray timeline, int count,
                              double holdSeconds) {
    List<Chart.Series> added = List.of(
        new Chart.Series("plain (kubelet answer)", Chart.COLORS[0], false, percentilePoints(plain)),
        new Chart.Series("event stream (SSE)", Chart.COLORS[1], false, percentilePoints(events)));
    List<double[]> open = new ArrayList<>();
    List<double[]> heap = new ArrayList<>();
    List<double[]> rss = new ArrayList<>();
    List<double[]> threads = new ArrayList<>();
    double last = 0;
    for (Object o : timeline) {
      JsonObject s = (JsonObject) o;
      double t = s.getDouble("seconds");
      last = Math.max(last, t);
      open.add(new double[] {t, s.getLong("openRequests")});
      heap.add(new double[] {t, s.getLong("heapUsedBytes") / 1e6});
      rss.add(new double[] {t, s.getLong("rssBytes") / 1e6});
      threads.add(new double[] {t, s.getLong("threads")});
    }
    List<Chart.Tick> timeTicks = new ArrayList<>();
    double step = Math.max(1, Math.ceil(last / 6));
    for (double t = 0; t <= last + step; t += step) {
      timeTicks.add(new Chart.Tick(t, String.valueOf((long) t)));
    }
    String subtitle = String.format(Locale.ROOT, "%s%d requests, %s s checkpoints, half plain, half SSE; load average %s",
        run.quick ? "QUICK run (not a measurement); " : "", count, holdSeconds, Machine.loadAverage());
    return Chart.svg("hold: requests held open at once", subtitle, List.of(
        new Chart.Panel("latency added to the checkpoint", "percentile", "milliseconds", false, true,
            Chart.PERCENTILE_TICKS, added),
        new Chart.Panel("open requests, threads", "seconds", "count", false, false, timeTicks,
            List.of(new Chart.Series("open requests", Chart.COLORS[2], false, open),
                new Chart.Series("gateway threads", Chart.COLORS[4], true, threads))),
        new Chart.Panel("gateway memory", "seconds", "MB", false, false, timeTicks,
            List.of(new Chart.Series("heap used (sampled)", Chart.COLORS[3], false, heap),
                new Chart.Series("RSS", Chart.COLORS[5], true, rss)))));
  }

  static List<double[]> percentilePoints(Histogram h) {
    List<double[]> points = new ArrayList<>();
    if (h.getTotalCount() == 0) {
      return points;
    }
    for (double p : new double[] {50, 90, 99, 99.9}) {
      points.add(new double[] {Chart.nines(p), h.getValueAtPercentile(p) / 1000.0});
    }
    points.add(new double[] {4, h.getMaxValue() / 1000.0});
    return points;
  }
}
