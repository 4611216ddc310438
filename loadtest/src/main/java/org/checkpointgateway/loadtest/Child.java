package org.checkpointgateway.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A process the harness started (simulated runtime, gateway, bare server): its output goes to a
 * log file, its pid to the run's pid file (so that loadtest/run's trap can end it should this JVM
 * die), and it is stopped with SIGTERM, then SIGKILL, when the harness ends, however it ends.
 */
final class Child implements AutoCloseable {

  private static final List<Child> LIVE = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Child::close), "loadtest-children"));
  }

  private final String name;
  private final Process process;
  private final Path log;
  private final List<String> command;

  private Child(String name, Process process, Path log, List<String> command) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.command = command;
  }

  /** Starts {@code java jvmFlags -cp jar args...} (the same java as this harness). */
  static Child java(String name, Path workDir, Path pidFile, List<String> jvmFlags, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmFlags);
    command.addAll(args);
    Path log = workDir.resolve(name + ".log");
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Child child = new Child(name, process, log, command);
    LIVE.add(child);
    return child;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  List<String> command() {
    return command;
  }

  /** Fails with the end of the log when the process died. */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " exited with code " + process.exitValue() + ": " + tail());
    }
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGKILL, as a crashed process dies: nothing of it runs its shutdown; returns once it is gone. */
  void kill() throws InterruptedException {
    LIVE.remove(this);
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " did not die on SIGKILL");
    }
  }

  /** SIGTERM, up to 45 s to stop (the gateway's shutdown grace is 30 s), then SIGKILL. */
  @Override
  public void close() {
    LIVE.remove(this);
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(45, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
