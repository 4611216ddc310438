package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** CPU time a process used so far (user + system), from /proc/PID/stat; -1 when unknown. */
final class Cpu {

  // USER_HZ: 100 on every Linux we run on (sysconf(_SC_CLK_TCK)).
  private static final double TICKS_PER_SECOND = 100.0;

  /**
   * The kinds of a JVM server's threads that {@link #byThreads} tells apart: the work of the
   * design is on the event loops; the JIT compiler and the garbage collector are the JVM's,
   * and they are what a run of a few seconds on new connections pays for and a long one does not.
   */
  static final String[] THREAD_KINDS = {"eventLoops", "jit", "gc", "other"};

  private Cpu() {
  }

  static double seconds(long pid) {
    try {
      return ticks(Files.readString(Path.of("/proc", String.valueOf(pid), "stat"))) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static double self() {
    return seconds(ProcessHandle.current().pid());
  }

  /**
   * CPU seconds of a process so far by the kind of thread ({@link #THREAD_KINDS}, in that order),
   * from /proc/PID/task/TID/stat; null when unknown. "other" is the process's total less the
   * rest, so that threads that ended (whose time only the total keeps) count there.
   */
  static double[] byThreads(long pid) {
    double total = seconds(pid);
    if (total < 0) {
      return null;
    }
    double[] seconds = new double[THREAD_KINDS.length];
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException ended) {
          continue; // the thread ended since the listing: its time is in the total
        }
        int kind = kind(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
        if (kind < THREAD_KINDS.length - 1) {
          seconds[kind] += ticks(stat) / TICKS_PER_SECOND;
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    seconds[THREAD_KINDS.length - 1] = Math.max(0, total - seconds[0] - seconds[1] - seconds[2]);
    return seconds;
  }

  /** Which of {@link #THREAD_KINDS} a thread of this name (as the kernel keeps it, 15 characters) is. */
  static int kind(String name) {
    if (name.startsWith("vert.x-eventloo")) {
      return 0;
    } else if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
      return 1;
    } else if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread")) {
      return 2; // the VM thread runs the collector's pauses
    }
    return 3;
  }

  /** What each kind used between two readings of {@link #byThreads}; null when either is unknown. */
  static double[] used(double[] before, double[] after) {
    if (before == null || after == null) {
      return null;
    }
    double[] used = new double[THREAD_KINDS.length];
    for (int i = 0; i < used.length; i++) {
      used[i] = after[i] - before[i];
    }
    return used;
  }

  /**
   * Milliseconds per request of each kind of thread over some runs, from what each run
   * {@link #used}: empty when a run's is unknown.
   */
  static JsonObject perRequestByThreads(List<double[]> runs, long requests) {
    JsonObject json = new JsonObject();
    if (requests > 0 && runs.stream().allMatch(Objects::nonNull)) {
      for (int i = 0; i < THREAD_KINDS.length; i++) {
        int kind = i;
        double seconds = runs.stream().mapToDouble(used -> used[kind]).sum();
        json.put(THREAD_KINDS[i], Math.round(seconds * 1e6 / requests) / 1000.0);
      }
    }
    return json;
  }

  /** Fields after the command name (which may hold spaces) start after the last ')'. */
  private static long ticks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
