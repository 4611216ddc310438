package org.checkpointgateway.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A fleet member: a whole gateway as a process of its own ({@code Main} with the given flags), for faults only
 * another process can have: killed, frozen, restarted. Every wait is bounded; {@link #close}
 * ends the process however the test ended.
 */
public final class MemberProcess implements AutoCloseable {

  /** A clustered JVM starting on a loaded machine takes a while; the wait is still bounded. */
  static final Duration START_WAIT = Duration.ofSeconds(90);
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> LIVE.forEach(Process::destroyForcibly), "gateway-process-reaper"));
  }

  private final String name;
  private final int port;
  private final List<String> flags;
  private final Path workDir;
  private Process process;
  private int starts;

  private MemberProcess(String name, int port, List<String> flags, Path workDir) {
    this.name = name;
    this.port = port;
    this.flags = flags;
    this.workDir = workDir;
  }

  /** Launches {@code Main --port port flags...} without waiting; see {@link #awaitServing}. */
  public static MemberProcess launch(String name, int port, List<String> flags, Path workDir) {
    MemberProcess gateway = new MemberProcess(name, port, List.copyOf(flags), workDir);
    gateway.spawn();
    return gateway;
  }

  /** A port nobody listens on now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  public String name() {
    return name;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Waits until the process logs that it serves. */
  public void awaitServing() {
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    while (!output().contains("serving the Kubelet Checkpoint API on")) {
      if (!process.isAlive() || System.nanoTime() - deadline > 0) {
        String why = process.isAlive() ? "did not serve within " + START_WAIT
            : "exited with " + process.exitValue();
        kill();
        throw new AssertionError("gateway " + name + " " + why + ": " + output());
      }
      pause(50);
    }
  }

  /** POST with a bearer token, answered as status and body. */
  public HttpResponse<String> post(String path, String token, Duration timeout) {
    return send(HttpRequest.newBuilder(URI.create(url() + path))
        .POST(HttpRequest.BodyPublishers.noBody()), token, timeout);
  }

  /** POST asking for newline-delimited JSON events. */
  public HttpResponse<String> postStreaming(String path, String token, Duration timeout) {
    return send(HttpRequest.newBuilder(URI.create(url() + path))
        .header("Accept", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.noBody()), token, timeout);
  }

  public HttpResponse<String> get(String path, String token) {
    return send(HttpRequest.newBuilder(URI.create(url() + path)).GET(), token,
        Duration.ofSeconds(20));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request, String token,
      Duration timeout) {
    try {
      return HTTP.send(request.header("Authorization", "Bearer " + token).timeout(timeout)
          .build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** SIGKILL, as a crash. */
  public void kill() {
    process.destroyForcibly(); // SIGKILL on Linux
    LIVE.remove(process);
    try {
      if (!process.waitFor(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("gateway " + name + " did not die of SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** SIGSTOP: the process stays, its sockets accept connections, nothing answers. */
  public void freeze() {
    signal("-STOP");
  }

  /** SIGCONT after {@link #freeze}. */
  public void thaw() {
    signal("-CONT");
  }

  /** Kills the process if it runs and starts it again with the same flags. */
  public void restart() {
    if (process.isAlive()) {
      kill();
    }
    spawn();
  }

  public String output() {
    try {
      return Files.readString(logFile());
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  private void spawn() {
    starts++;
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Dio.netty.jfr.enabled=false", "-cp", System.getProperty("java.class.path"),
        "org.checkpointgateway.Main", "--port", Integer.toString(port)));
    command.addAll(flags);
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(logFile().toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("cannot start gateway " + name + ": " + command, e);
    }
    LIVE.add(process);
  }

  private void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid()))
          .redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill " + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis); // the poll interval, not a wait for the condition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private Path logFile() {
    return workDir.resolve(name + "-" + starts + ".log");
  }
}
