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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java ... Main ARGS} in a process of its own: the gateway as a user starts it, a fleet
 * member, or the simulated runtime ({@code Main simulate}). For what only a process shows or
 * suffers: exit codes, the whole output, SIGTERM, SIGKILL, SIGSTOP, a restart. Each start writes
 * stdout and stderr together to {@code workDir/NAME-N.log}. Every wait is bounded, and no process
 * outlives the test JVM.
 */
public final class MainProcess implements AutoCloseable {

  /** A cold (clustered) JVM on a loaded 2-core machine: longer than Await's usual deadline. */
  public static final Duration START_WAIT = Duration.ofSeconds(90);
  private static final Pattern GATEWAY_SERVING =
      Pattern.compile("serving the Kubelet Checkpoint API on (https?://\\S+)");
  private static final Pattern RUNTIME_SERVING = Pattern.compile("simulated CRI runtime serving on");
  private static final Pattern TOKEN = Pattern.compile("(?m)^(eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+)$");
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  // Processes on loopback with certificates made at run time: this client takes any server
  // certificate (for 127.0.0.1); tests of what a server trusts bring their own client.
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).sslContext(trustingAnyServer()).build();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> LIVE.forEach(Process::destroyForcibly), "main-process-reaper"));
  }

  private final String name;
  private final Path workDir;
  private final List<String> command;
  private final Pattern serving;
  private Process process;
  private int starts;

  private MainProcess(String name, Path workDir, List<String> jvm, List<String> args,
      Pattern serving) {
    this.name = name;
    this.workDir = workDir;
    this.serving = serving;
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    // A quickly started JVM, and none of Netty's JFR events (they stall a loop at start).
    command.addAll(List.of("-XX:TieredStopAtLevel=1", "-Dio.netty.jfr.enabled=false"));
    command.addAll(jvm);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        "org.checkpointgateway.Main"));
    command.addAll(args);
    this.command = List.copyOf(command);
    spawn();
  }

  /**
   * The gateway as a user starts it, {@code java.io.tmpdir} in {@code work/tmp}; does not wait
   * (see {@link #url}, {@link #exitCode}).
   */
  public static MainProcess gateway(Path work, String... args) {
    try {
      Path tmp = Files.createDirectories(work.resolve("tmp"));
      return new MainProcess("gateway", work, List.of("-Djava.io.tmpdir=" + tmp), List.of(args),
          GATEWAY_SERVING);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A fleet member, {@code Main --port port flags...}; does not wait (see {@link #awaitServing}). */
  public static MainProcess member(String name, int port, List<String> flags, Path workDir) {
    return member(name, port, flags, workDir, List.of());
  }

  /** A fleet member whose JVM also gets {@code jvm} (system properties: a trust store...). */
  public static MainProcess member(String name, int port, List<String> flags, Path workDir,
      List<String> jvm) {
    List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port)));
    args.addAll(flags);
    List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC"));
    options.addAll(jvm);
    return new MainProcess(name, workDir, options, args, GATEWAY_SERVING);
  }

  /** The simulated runtime on {@code socket}, seeded with {@code seedYaml}; returns once it serves. */
  public static MainProcess runtime(Path socket, String seedYaml, Path workDir) {
    try {
      Path seed = Files.writeString(workDir.resolve("runtime-seed.yaml"), seedYaml);
      MainProcess runtime = new MainProcess("runtime", workDir,
          List.of("-Xmx128m", "-XX:+UseSerialGC"),
          List.of("simulate", "--socket", socket.toString(), "--pods", seed.toString()),
          RUNTIME_SERVING);
      runtime.awaitServing();
      return runtime;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
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

  /** Waits until the current start logs that it serves; else kills it and fails with its output. */
  public void awaitServing() {
    Await.until(name + " to serve", START_WAIT,
        () -> serving.matcher(output()).find() || !process.isAlive());
    if (!serving.matcher(output()).find()) {
      String why = process.isAlive() ? "did not serve" : "exited with " + process.exitValue();
      kill();
      throw new AssertionError(name + " " + why + ": " + output());
    }
  }

  /** The URL the gateway logged it serves on, once it does. */
  public String url() {
    awaitServing();
    Matcher url = GATEWAY_SERVING.matcher(output());
    url.find();
    return url.group(1);
  }

  /** The development token the gateway printed (after {@link #url}). */
  public String devToken() {
    Await.until("the printed token", () -> TOKEN.matcher(output()).find());
    Matcher token = TOKEN.matcher(output());
    token.find();
    return token.group(1);
  }

  /** POST with a bearer token, answered as status and body. */
  public HttpResponse<String> post(String path, String token, Duration timeout) {
    return send(HttpRequest.newBuilder(URI.create(url() + path))
        .POST(HttpRequest.BodyPublishers.noBody()), token, timeout);
  }

  /** POST asking for newline-delimited JSON events. */
  public HttpResponse<String> postStreaming(String path, String token, Duration timeout) {
    return postStreaming(path, token, timeout, "application/x-ndjson");
  }

  /** POST asking for events in {@code accept}: NDJSON or {@code text/event-stream}. */
  public HttpResponse<String> postStreaming(String path, String token, Duration timeout,
      String accept) {
    return send(HttpRequest.newBuilder(URI.create(url() + path))
        .header("Accept", accept)
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

  private static javax.net.ssl.SSLContext trustingAnyServer() {
    try {
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String type) {
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String type) {
        }

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
          return new java.security.cert.X509Certificate[0];
        }
      }}, null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the process to end by itself; its exit code. */
  public int exitCode() {
    try {
      if (!process.waitFor(START_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError(name + " did not end within " + START_WAIT + ": " + output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    LIVE.remove(process);
    return process.exitValue();
  }

  /** SIGTERM, as systemd or the kubelet stop it; its exit code. */
  public int terminate() {
    process.destroy(); // SIGTERM on Linux
    return exitCode();
  }

  /** SIGKILL, as a crash: nothing is cleaned up (a runtime's socket file stays behind). */
  public void kill() {
    process.destroyForcibly(); // SIGKILL on Linux
    try {
      if (!process.waitFor(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError(name + " did not die of SIGKILL in " + Await.DEFAULT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    LIVE.remove(process);
  }

  /** SIGSTOP: the process stays, its sockets accept connections, nothing answers. */
  public void freeze() {
    signal("-STOP");
    Await.until(name + " to be stopped", () -> "T".equals(state()));
  }

  /** SIGCONT after {@link #freeze}. */
  public void thaw() {
    signal("-CONT");
    Await.until(name + " to run again", () -> !"T".equals(state()));
  }

  /** Kills the process if it runs, starts it again with the same arguments, waits until it serves. */
  public void restart() {
    if (process.isAlive()) {
      kill();
    }
    spawn();
    awaitServing();
  }

  /** The output of the current start. */
  public String output() {
    try {
      return Files.readString(logFile());
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  /** What is in the gateway's temporary directory now (names). */
  public List<String> temporaryFiles() {
    try (var files = Files.list(workDir.resolve("tmp"))) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Ends the process whatever state it is in (a stopped process dies of SIGKILL too). */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  private void spawn() {
    starts++;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(logFile().toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("cannot start " + name + ": " + command, e);
    }
    LIVE.add(process);
  }

  private void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid()))
          .redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill " + signal + " " + process.pid() + " failed: "
            + new String(kill.getInputStream().readAllBytes()));
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The process state letter from /proc (R, S, T ...). */
  private String state() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // "pid (comm) S ...": the state follows the command, which may hold spaces.
      return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch (IOException e) {
      return "gone";
    }
  }

  private Path logFile() {
    return workDir.resolve(name + "-" + starts + ".log");
  }
}
