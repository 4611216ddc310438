package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code heavy}: a few hundred checkpoints of 1 to 8 GiB containers in three namespaces, against
 * a simulated bandwidth, with a byte budget far below their sum. The bytes in flight at the
 * runtime must stay within the budget, while the bandwidth stays busy; the waits per namespace
 * show whether one tenant's burst starves the others.
 */
final class Heavy {

  static final long GIB = 1L << 30;
  static final String[] NAMESPACES = {"team-a", "team-b", "team-c"};
  // team-a is the bursty tenant: half the checkpoints, all sent first.
  static final double[] SHARES = {0.5, 0.3, 0.2};

  private Heavy() {
  }

  record Checkpoint(String namespace, String pod, long bytes) {
  }

  static String run(Run run) throws Exception {
    int count = run.quick ? 30 : 300;
    long budget = 16 * GIB;
    long bandwidth = (run.quick ? 48 : 24) * GIB;
    double arrivalSeconds = run.quick ? 0.5 : 3;
    List<Checkpoint> order = plan(count);
    long sum = order.stream().mapToLong(Checkpoint::bytes).sum();
    List<String> gatewayArgs = List.of("--max-concurrent", "64", "--max-inflight-bytes", String.valueOf(budget),
        "--max-queued", "10000", "--default-timeout", "600", "--disk-reserve-bytes", "0");
    run.settings.put("checkpoints", count).put("byteBudget", budget).put("sumOfWeights", sum)
        .put("simulatedBandwidthBytesPerSecond", bandwidth).put("arrivalSeconds", arrivalSeconds)
        .put("order", "all of team-a's first (a burst), then team-b's and team-c's interleaved")
        .put("gatewayArgs", new JsonArray(gatewayArgs))
        .put("requests", "POST with Accept: text/event-stream; wait = from the intended send to the started event");
    try (Stack stack = Stack.start(run, seed(order, bandwidth), gatewayArgs)) {
      HttpTarget http = new HttpTarget(run.vertx, stack.port, count + 8);
      String token = run.tokens.token("HS256");
      // A warmed-up gateway, as a node's would be: short checkpoints outside the three namespaces.
      Generator.Point warm = run.generator.closed(http.events("/checkpoint/warm/w/app", token, t -> { }), 4,
          Duration.ZERO, Duration.ofMillis(run.quick ? 500 : 3000), Duration.ofSeconds(30));
      run.check("warm-up: no errors, none lost", warm.clean(), "errors " + warm.errors() + ", lost " + warm.lost());
      Map<String, Recorder> waits = new LinkedHashMap<>();
      for (String ns : NAMESPACES) {
        waits.put(ns, new Recorder(Latency.MAX_MICROS, 3));
      }
      long[] intended = new long[count];
      long t0 = System.nanoTime();
      AtomicLong lastAnswer = new AtomicLong();
      JsonArray timeline = new JsonArray();
      Thread sampler = new Thread(() -> sample(run, stack, timeline, t0), "heavy-sampler");
      sampler.setDaemon(true);
      sampler.start();
      Generator.Point point = run.generator.open(i -> {
        Checkpoint c = order.get(i);
        intended[i] = System.nanoTime();
        return http.events("/checkpoint/" + c.namespace() + "/" + c.pod() + "/app", token,
            started -> waits.get(c.namespace()).recordValue(Math.max(1, (started - intended[i]) / 1000)));
      }, count, count / arrivalSeconds, Duration.ofSeconds(600), new Generator.Listener() {
        @Override
        public void answered(int index, boolean succeeded, long nanos) {
          lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
        }
      });
      sampler.interrupt();
      sampler.join(10_000);
      http.close();
      JsonObject status = stack.simulatorStatus();
      double window = (lastAnswer.get() - t0) / 1e9;
      long peak = status.getLong("maxActiveBytes");
      double share = sum / (bandwidth * window);
      JsonObject waitJson = new JsonObject();
      Map<String, Histogram> histograms = new LinkedHashMap<>();
      waits.forEach((ns, r) -> {
        Histogram h = r.getIntervalHistogram();
        histograms.put(ns, h);
        waitJson.put(ns, Latency.percentiles(h));
      });
      run.results.put("requests", point.json())
          .put("peakBytesAtRuntime", peak)
          .put("byteBudget", budget)
          .put("peakOverBudget", Math.round(peak * 1000.0 / budget) / 1000.0)
          .put("mostCheckpointsAtRuntime", status.getInteger("maxActive"))
          .put("sumOfWeights", sum)
          .put("windowSeconds", Math.round(window * 1000) / 1000.0)
          .put("idealSeconds", Math.round(sum * 1000.0 / bandwidth) / 1000.0)
          .put("bandwidthShareUsed", Math.round(share * 1000) / 1000.0)
          .put("bandwidthShareMeaning", "sum of the checkpoints' weights / (simulated bandwidth x the time from the"
              + " first send to the last answer): 1.0 would be a runtime never idle and never waiting for the gateway")
          .put("runtimeBusySeconds", status.getDouble("bandwidthBusySeconds"))
          .put("waitMsByNamespace", waitJson)
          .put("simulator", status)
          .put("timeline", timeline);
      run.check("every checkpoint completed", point.clean() && point.succeeded() == count,
          point.succeeded() + " of " + count + " completed, errors " + point.errors() + ", lost " + point.lost());
      run.check("byte budget never exceeded at the runtime", peak <= budget,
          String.format(Locale.ROOT, "peak %.2f GiB at the runtime, budget %.2f GiB", peak / (double) GIB,
              budget / (double) GIB));
      run.results.put("goals", new JsonArray()
          .add(Run.goal("simulated bandwidth used >= 90% with the budget never exceeded", share, 0.9,
              share >= 0.9 && peak <= budget)));
      if (run.quick) {
        run.note("quick: " + count + " checkpoints at " + bandwidth / GIB + " GiB/s, not 300 at 24 GiB/s");
      }
      return chart(run, histograms, timeline, budget, share);
    }
  }

  /** Deterministic sizes (1 to 8 GiB in 256 MiB steps) and the arrival order. */
  static List<Checkpoint> plan(int count) {
    Random random = new Random(20261127);
    List<List<Checkpoint>> byNamespace = new ArrayList<>();
    for (int n = 0; n < NAMESPACES.length; n++) {
      int k = n == NAMESPACES.length - 1 ? count - byNamespace.stream().mapToInt(List::size).sum()
          : (int) Math.round(count * SHARES[n]);
      List<Checkpoint> list = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        list.add(new Checkpoint(NAMESPACES[n], "p" + i, GIB + (random.nextInt(29) * (GIB / 4))));
      }
      byNamespace.add(list);
    }
    List<Checkpoint> order = new ArrayList<>(byNamespace.get(0));
    List<Checkpoint> b = byNamespace.get(1);
    List<Checkpoint> c = byNamespace.get(2);
    for (int i = 0; i < Math.max(b.size(), c.size()); i++) {
      if (i < b.size()) {
        order.add(b.get(i));
      }
      if (i < c.size()) {
        order.add(c.get(i));
      }
    }
    return order;
  }

  static String seed(List<Checkpoint> order, long bandwidth) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, """
        # heavy: %d containers of 1 to 8 GiB sharing %d bytes/s; nothing is written
        writeArchives: false
        bandwidthBytesPerSecond: %d
        pods:
          - {namespace: warm, name: w, containers: [{name: app, memoryBytes: 16777216, checkpointSeconds: 0.01}]}
        """, order.size(), bandwidth, bandwidth));
    for (Checkpoint c : order) {
      s.append(String.format(Locale.ROOT, "  - {namespace: %s, name: %s, containers: [{name: app, memoryBytes: %d}]}%n",
          c.namespace(), c.pod(), c.bytes()));
    }
    return s.toString();
  }

  private static void sample(Run run, Stack stack, JsonArray timeline, long t0) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        JsonObject status = stack.simulatorStatus();
        synchronized (timeline) {
          timeline.add(new JsonObject().put("seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0)
              .put("activeBytes", status.getLong("activeBytes")).put("active", status.getInteger("active")));
        }
        Thread.sleep(200);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      run.note("sampling stopped: " + e);
    }
  }

  private static String chart(Run run, Map<String, Histogram> waits, JsonArray timeline, long budget, double share) {
    List<Chart.Series> waitSeries = new ArrayList<>();
    int color = 0;
    for (Map.Entry<String, Histogram> e : waits.entrySet()) {
      List<double[]> points = new ArrayList<>();
      for (double[] p : Hold.percentilePoints(e.getValue())) {
        points.add(new double[] {p[0], p[1] / 1000.0});
      }
      waitSeries.add(new Chart.Series(e.getKey() + " (" + e.getValue().getTotalCount() + ")", Chart.COLORS[color++],
          false, points));
    }
    List<double[]> bytes = new ArrayList<>();
    double last = 0;
    for (Object o : timeline) {
      JsonObject s = (JsonObject) o;
      last = Math.max(last, s.getDouble("seconds"));
      bytes.add(new double[] {s.getDouble("seconds"), s.getLong("activeBytes") / (double) GIB});
    }
    List<Chart.Tick> ticks = new ArrayList<>();
    double step = Math.max(1, Math.ceil(last / 6));
    for (double t = 0; t <= last + step; t += step) {
      ticks.add(new Chart.Tick(t, String.valueOf((long) t)));
    }
    List<double[]> budgetLine = List.of(new double[] {0, budget / (double) GIB},
        new double[] {ticks.get(ticks.size() - 1).value(), budget / (double) GIB});
    String subtitle = String.format(Locale.ROOT, "%sbandwidth used %.1f%%; load average %s",
        run.quick ? "QUICK run (not a measurement); " : "", share * 100, Machine.loadAverage());
    return Chart.svg("heavy: 1-8 GiB checkpoints under a byte budget", subtitle, List.of(
        new Chart.Panel("wait for the runtime, per namespace", "percentile", "seconds", false, false,
            Chart.PERCENTILE_TICKS, waitSeries),
        new Chart.Panel("bytes at the runtime (sampled every 200 ms)", "seconds", "GiB", false, false, ticks,
            List.of(new Chart.Series("in flight at the runtime", Chart.COLORS[0], false, bytes),
                new Chart.Series("byte budget", Chart.COLORS[1], true, budgetLine)))));
  }
}
