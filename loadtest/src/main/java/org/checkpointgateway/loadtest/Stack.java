package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The system under test, as separate processes: the simulated runtime on a unix socket (its
 * counters in a status file it rewrites every 100 ms) and the gateway on a loopback port talking
 * CRI to it.
 */
final class Stack implements AutoCloseable {

  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  final Run run;
  // Replaced when the soak restarts the runtime.
  volatile Child simulator;
  final Child gateway;
  final int port;
  final Path socket;
  final Path statusFile;
  /** The gateway's checkpoint directory. */
  final Path archives;
  final HttpTarget metricsClient;

  private Stack(Run run, Child simulator, Child gateway, int port, Path socket, Path statusFile,
      Path archives) {
    this.archives = archives;
    this.run = run;
    this.simulator = simulator;
    this.gateway = gateway;
    this.port = port;
    this.socket = socket;
    this.statusFile = statusFile;
    this.metricsClient = new HttpTarget(run.vertx, port, 2);
  }

  /** Starts the simulator with {@code seedYaml}, then the gateway with {@code gatewayArgs}. */
  static Stack start(Run run, String seedYaml, List<String> gatewayArgs) throws Exception {
    return start(run, seedYaml, gatewayArgs, List.of());
  }

  /** As above, the gateway's JVM also given {@code gatewayJvm} (after {@link Run#SERVER_JVM}). */
  static Stack start(Run run, String seedYaml, List<String> gatewayArgs, List<String> gatewayJvm)
      throws Exception {
    Files.writeString(run.work.resolve("seed.yaml"), seedYaml, StandardCharsets.UTF_8);
    Path socket = run.work.resolve("cri.sock");
    Path status = run.work.resolve("simulator-status.json");
    Child sim = startSimulator(run, socket, status);
    int port = freePort();
    List<String> jvm = new ArrayList<>(Run.SERVER_JVM);
    jvm.addAll(gatewayJvm);
    if (run.jfr) {
      jvm.add("-XX:StartFlightRecording=filename=" + run.out.resolve(run.scenario + "-gateway.jfr")
          + ",settings=profile");
    }
    List<String> args = new ArrayList<>(List.of("-jar", run.jar.toString(),
        "--port", String.valueOf(port), "--cri-endpoint", "unix://" + socket,
        "--checkpoint-dir", archiveDir(run, seedYaml).toString(), "--metrics-unauthenticated"));
    args.addAll(run.tokens.gatewayFlags());
    args.addAll(gatewayArgs);
    Child gw;
    try {
      gw = Child.java("gateway", run.work, run.pidFile, jvm, args);
    } catch (IOException e) {
      sim.close();
      throw e;
    }
    Stack stack = new Stack(run, sim, gw, port, socket, status, archiveDir(run, seedYaml));
    try {
      waitFor("the gateway's /readyz", gw, () -> {
        try {
          stack.metricsClient.get("/readyz").await(2, TimeUnit.SECONDS);
          return true;
        } catch (Exception notYet) {
          return false;
        }
      });
    } catch (Exception e) {
      stack.close();
      throw e;
    }
    run.settings.put("simulatorSeed", seedYaml)
        .put("simulatorCommand", new JsonArray(sim.command()))
        .put("gatewayCommand", new JsonArray(gw.command()));
    return stack;
  }

  /**
   * Where the gateway's archives go: for a seed of instant checkpoints that write nothing, the
   * scratch directory loadtest/run made (a memory file system when there is one: see there);
   * else the work directory, on disk, as a node's would be.
   */
  static Path archiveDir(Run run, String seedYaml) {
    String scratch = System.getenv("LOADTEST_SCRATCH");
    boolean instant = seedYaml.contains("instantCheckpoints: true") && seedYaml.contains("writeArchives: false");
    return (instant && scratch != null ? Path.of(scratch, run.scenario) : run.work).resolve("checkpoints");
  }

  /** The simulator of the work directory's seed on {@code socket}; returns once it serves. */
  private static Child startSimulator(Run run, Path socket, Path status) throws Exception {
    Files.deleteIfExists(status);
    Child sim = Child.java("simulator", run.work, run.pidFile, Run.SIMULATOR_JVM, List.of(
        "-jar", run.jar.toString(), "simulate", "--socket", socket.toString(), "--pods",
        run.work.resolve("seed.yaml").toString(), "--status-file", status.toString()));
    waitFor("the simulator's status file", sim, () -> Files.exists(status) && Files.exists(socket));
    return sim;
  }

  /**
   * Stops the runtime: with SIGKILL its socket file stays behind, as after a crash; with SIGTERM
   * it stops as on a node's runtime upgrade (running checkpoints answered UNAVAILABLE).
   */
  void stopSimulator(boolean kill) throws InterruptedException {
    if (kill) {
      simulator.kill();
    } else {
      simulator.close();
    }
  }

  /** Starts the runtime again on the same socket with the same seed; returns once it serves. */
  void restartSimulator() throws Exception {
    simulator = startSimulator(run, socket, statusFile);
  }

  /** The simulator's latest counters. */
  JsonObject simulatorStatus() throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return new JsonObject(Files.readString(statusFile));
      } catch (NoSuchFileException e) {
        if (attempt > 20) {
          throw e;
        }
        sleep(10);
      }
    }
  }

  /** The gateway's Prometheus text, as {@code name{labels}} to value. */
  Map<String, Double> metrics() throws Exception {
    String text = metricsClient.get("/metrics").await(10, TimeUnit.SECONDS);
    Map<String, Double> values = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      try {
        values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException ignored) {
        // NaN and friends: not needed
      }
    }
    return values;
  }

  /** The sum of every series of {@code name} whose labels contain {@code labelPart}. */
  static double sum(Map<String, Double> metrics, String name, String labelPart) {
    return metrics.entrySet().stream()
        .filter(e -> (e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
            && e.getKey().contains(labelPart))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  /** The gateway's resident memory (VmRSS) in bytes. */
  long gatewayRss() {
    return Machine.procLine(Path.of("/proc", String.valueOf(gateway.pid()), "status"), "VmRSS:") * 1024;
  }

  /** The gateway's thread count (all threads of the process, JVM's own included). */
  long gatewayThreads() {
    return Machine.procLine(Path.of("/proc", String.valueOf(gateway.pid()), "status"), "Threads:");
  }

  /**
   * The gateway's live heap: a full GC by {@code jcmd GC.run}, then {@code GC.heap_info}'s used
   * bytes. A perturbation (a pause of tens of ms), taken at the few moments we report.
   */
  long gatewayLiveHeap() throws Exception {
    jcmd("GC.run");
    Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  /** The gateway's threads by name, numbers dropped ("vert.x-worker-thread-#": 20). */
  JsonObject gatewayThreadNames() throws Exception {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    Matcher m = Pattern.compile("(?m)^\"([^\"]+)\"").matcher(jcmd("Thread.print"));
    while (m.find()) {
      counts.merge(m.group(1).replaceAll("\\d+", "#"), 1, Integer::sum);
    }
    JsonObject json = new JsonObject();
    counts.forEach(json::put);
    return json;
  }

  /** The classes holding the most of the gateway's heap (jcmd GC.class_histogram, top rows). */
  io.vertx.core.json.JsonArray gatewayHeapTop(int rows) throws Exception {
    io.vertx.core.json.JsonArray top = new io.vertx.core.json.JsonArray();
    Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)").matcher(jcmd("GC.class_histogram"));
    while (m.find() && top.size() < rows) {
      top.add(new JsonObject().put("class", m.group(3)).put("instances", Long.parseLong(m.group(1)))
          .put("bytes", Long.parseLong(m.group(2))));
    }
    return top;
  }

  private String jcmd(String command) throws Exception {
    Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(gateway.pid()), command)
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return output;
  }

  @Override
  public void close() {
    metricsClient.close();
    gateway.close();
    simulator.close();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  static void waitFor(String what, Child child, Condition condition) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.holds()) {
      child.checkAlive();
      if (System.nanoTime() > until) {
        throw new IllegalStateException("timed out waiting for " + what + ": " + child.tail());
      }
      sleep(50);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
