package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** CPU time a process used so far (user + system), from /proc/PID/stat; -1 when unknown. */
final class Cpu {

  // USER_HZ: 100 on every Linux we run on (sysconf(_SC_CLK_TCK)).
  private static final double TICKS_PER_SECOND = 100.0;

  /**
   * The kinds of a JVM server's threads that {@link #byThreads} tells apart: the work of the
   * design runs on the event loops (and so does code not compiled yet, and code made to run
   * again uncompiled); the JIT compiler's threads compile it; the collector's threads and the VM
   * thread (which runs the collector's pauses, and the other safepoints) collect; the rest
   * (Vert.x's acceptor, workers, the code cache's sweeper) is other.
   */
  static final String[] THREAD_KINDS = {"eventLoops", "jit", "gc", "other"};
  private static final int OTHER = THREAD_KINDS.length - 1;

  /** A reading of a process's CPU seconds: in all, and each live thread's, by thread id. */
  record Reading(double total, Map<String, ThreadTime> threads) {
  }

  /** One thread's CPU seconds so far, and its kind (an index into {@link #THREAD_KINDS}). */
  record ThreadTime(int kind, double seconds) {
  }

  private Cpu() {
  }

  static double seconds(long pid) {
    try {
      return ticks(Files.readString(Path.of("/proc", String.valueOf(pid), "stat"), StandardCharsets.ISO_8859_1))
          / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static double self() {
    return seconds(ProcessHandle.current().pid());
  }

  /** A process's CPU so far, in all and by thread (/proc/PID/task/TID/stat); null when unknown. */
  static Reading byThreads(long pid) {
    Map<String, ThreadTime> threads = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : tasks) {
        try {
          // Bytes as they are: a name cut at 15 bytes may end inside a UTF-8 character.
          String stat = Files.readString(task.resolve("stat"), StandardCharsets.ISO_8859_1);
          threads.put(task.getFileName().toString(), new ThreadTime(
              kind(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))),
              ticks(stat) / TICKS_PER_SECOND));
        } catch (IOException | RuntimeException ended) {
          // The thread ended since the listing: its time is in the total.
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    // Read after the threads: what they used until now is in it.
    double total = seconds(pid);
    return total < 0 ? null : new Reading(total, threads);
  }

  /**
   * The CPU seconds each kind of thread used between two readings ({@link #THREAD_KINDS}, in
   * that order); null when either is unknown. A thread started since {@code before} counts from
   * zero; "other" is the process's total less the rest, so that threads that ended in between
   * count there (and only for their time after {@code before}, as the total does).
   */
  static double[] used(Reading before, Reading after) {
    if (before == null || after == null) {
      return null;
    }
    double[] used = new double[THREAD_KINDS.length];
    double named = 0;
    for (Map.Entry<String, ThreadTime> thread : after.threads().entrySet()) {
      ThreadTime then = before.threads().get(thread.getKey());
      double seconds = thread.getValue().seconds() - (then == null ? 0 : then.seconds());
      if (thread.getValue().kind() != OTHER) {
        used[thread.getValue().kind()] += seconds;
        named += seconds;
      }
    }
    used[OTHER] = Math.max(0, after.total() - before.total() - named);
    return used;
  }

  /** Which of {@link #THREAD_KINDS} a thread of this name (as the kernel keeps it, 15 bytes) is. */
  static int kind(String name) {
    if (name.startsWith("vert.x-eventloo")) {
      return 0;
    } else if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
      return 1;
    } else if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread")) {
      return 2;
    }
    return OTHER;
  }

  /**
   * Milliseconds per request of each kind of thread over some runs, from what each run
   * {@link #used}: empty when a run's is unknown. They add up to about the process's.
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
