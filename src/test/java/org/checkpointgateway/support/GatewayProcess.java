package org.checkpointgateway.support;

import java.io.IOException;
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
 * The gateway as {@code java ... Main ARGS} in a process of its own, as a user starts it, with
 * {@code java.io.tmpdir} in a directory of the test's, and its stdout and stderr together in a
 * file: for what only a process shows (exit codes, the whole output, SIGTERM, files left behind).
 */
public final class GatewayProcess implements AutoCloseable {

  /** A cold JVM on a busy machine: longer than Await's usual deadline, still bounded. */
  public static final Duration START_WAIT = Duration.ofSeconds(90);
  private static final Pattern SERVING =
      Pattern.compile("serving the Kubelet Checkpoint API on (https?://\\S+)");
  private static final Pattern TOKEN = Pattern.compile("(?m)^(eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+)$");
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> LIVE.forEach(Process::destroyForcibly), "gateway-process-reaper"));
  }

  private final Process process;
  private final Path log;
  private final Path tmp;

  private GatewayProcess(Process process, Path log, Path tmp) {
    this.process = process;
    this.log = log;
    this.tmp = tmp;
  }

  /** Starts {@code Main args} with its temporary directory {@code work/tmp}. */
  public static GatewayProcess start(Path work, String... args) {
    try {
      Path tmp = Files.createDirectories(work.resolve("tmp"));
      Path log = work.resolve("gateway.log");
      List<String> command = new ArrayList<>(List.of(
          ProcessHandle.current().info().command().orElse("java"),
          "-Djava.io.tmpdir=" + tmp, "-Dio.netty.jfr.enabled=false", "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), "org.checkpointgateway.Main"));
      command.addAll(List.of(args));
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      LIVE.add(process);
      return new GatewayProcess(process, log, tmp);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Waits until it serves; its URL. */
  public String url() {
    Await.until("the gateway to serve", START_WAIT,
        () -> SERVING.matcher(output()).find() || !process.isAlive());
    Matcher serving = SERVING.matcher(output());
    if (!serving.find()) {
      throw new AssertionError("the gateway did not start: " + output());
    }
    return serving.group(1);
  }

  /** The development token it printed (after {@link #url}). */
  public String devToken() {
    Await.until("the printed token", () -> TOKEN.matcher(output()).find());
    Matcher token = TOKEN.matcher(output());
    token.find();
    return token.group(1);
  }

  /** Waits for the process to end by itself; its exit code. */
  public int exitCode() {
    try {
      if (!process.waitFor(START_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the gateway did not end within " + START_WAIT + ": " + output());
      }
      LIVE.remove(process);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** SIGTERM, as systemd or the kubelet stop it; its exit code. */
  public int terminate() {
    process.destroy(); // SIGTERM on Linux
    return exitCode();
  }

  /** Everything it printed so far. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  /** What is in its temporary directory now (names). */
  public List<String> temporaryFiles() {
    try (var files = Files.list(tmp)) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    LIVE.remove(process);
  }
}
