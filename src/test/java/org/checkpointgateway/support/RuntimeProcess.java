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

/**
 * The simulated runtime as a process of its own ({@code Main simulate}) on a unix socket, for
 * faults that only another process can have: killed, frozen, restarted, its socket removed.
 * Every wait is bounded; {@link #close} ends the process however the test ended.
 */
public final class RuntimeProcess implements AutoCloseable {

  /** A JVM starting on a loaded machine can take a while; the wait is still bounded. */
  static final Duration START_WAIT = Duration.ofSeconds(60);
  // Ended however the test JVM ends, so that no runtime outlives its test.
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> LIVE.forEach(Process::destroyForcibly), "runtime-process-reaper"));
  }

  private final Path socket;
  private final Path seed;
  private final Path log;
  private Process process;
  private int starts;

  private RuntimeProcess(Path socket, Path seed, Path log) {
    this.socket = socket;
    this.seed = seed;
    this.log = log;
  }

  /**
   * Starts {@code simulate --socket socket --pods seedFile} and returns once it serves; its
   * output goes to {@code workDir/runtime-N.log}.
   */
  public static RuntimeProcess start(Path socket, String seedYaml, Path workDir) {
    try {
      Path seed = workDir.resolve("runtime-seed.yaml");
      Files.writeString(seed, seedYaml);
      RuntimeProcess runtime = new RuntimeProcess(socket, seed, workDir);
      runtime.launch();
      return runtime;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public Path socket() {
    return socket;
  }

  /** SIGKILL, as a crash: nothing is cleaned up, the socket file stays behind. */
  public void kill() {
    process.destroyForcibly(); // SIGKILL on Linux
    LIVE.remove(process);
    try {
      if (!process.waitFor(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the runtime did not die of SIGKILL in " + Await.DEFAULT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** SIGSTOP: the process stays, its socket accepts connections, nothing answers. */
  public void freeze() {
    signal("-STOP");
    Await.until("the runtime to be stopped", () -> "T".equals(state()));
  }

  /** SIGCONT after {@link #freeze}. */
  public void thaw() {
    signal("-CONT");
    Await.until("the runtime to run again", () -> !"T".equals(state()));
  }

  /** Kills the process (if it still runs) and starts a new one on the same socket. */
  public void restart() {
    if (process.isAlive()) {
      kill();
    }
    launch();
  }

  /** Removes the socket file while the runtime keeps running (an operator's slip). */
  public void removeSocket() {
    try {
      Files.delete(socket);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The output of the current process. */
  public String output() {
    try {
      return Files.readString(logFile());
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  /** Ends the process whatever state it is in (a stopped process dies of SIGKILL too). */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  private void launch() {
    starts++;
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    // A small, quickly started JVM: the simulator needs little of either.
    command.addAll(List.of("-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.checkpointgateway.Main");
    command.addAll(List.of("simulate", "--socket", socket.toString(), "--pods", seed.toString()));
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(logFile().toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("cannot start the runtime: " + command, e);
    }
    LIVE.add(process);
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    while (!output().contains("simulated CRI runtime serving on")) {
      if (!process.isAlive() || System.nanoTime() - deadline > 0) {
        String why = process.isAlive() ? "did not serve within " + START_WAIT
            : "exited with " + process.exitValue();
        kill();
        throw new AssertionError("the runtime " + why + ": " + output());
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20); // the poll interval, not a wait for the condition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private Path logFile() {
    return log.resolve("runtime-" + starts + ".log");
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
}
