package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A server's syscalls over a window, counted by the kernel's syscall tracepoints through
 * {@code perf stat} (Debian's {@code linux-perf}), when it is installed and allowed. On a machine
 * where a syscall costs microseconds (a virtual machine's exits), what a server asks of the
 * kernel per request is a large, exact part of its CPU: timing runs spread too much to show it.
 */
final class Syscalls {

  // The syscalls a server of this design makes per request, and those it should not; one
  // tracepoint each (all of them, times every thread, would pass perf's file limit).
  private static final List<String> NAMES = List.of("read", "write", "readv", "writev", "recvfrom",
      "sendto", "recvmsg", "sendmsg", "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl",
      "statx", "newfstatat", "openat", "close", "futex", "accept4", "mmap", "munmap", "madvise",
      "sched_yield");

  private Syscalls() {
  }

  /** perf's path, or null when it is not installed. */
  static String findPerf() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "perf");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  /**
   * The words to put before a load generator's command so that perf counts {@code pid}'s
   * syscalls exactly while the generator runs, into {@code output}.
   */
  static List<String> around(String perf, long pid, Path output) {
    String events = NAMES.stream().map(name -> "syscalls:sys_enter_" + name)
        .collect(Collectors.joining(","));
    return List.of(perf, "stat", "-x,", "-e", events, "-p", String.valueOf(pid), "-o",
        output.toString(), "--");
  }

  /** Counts by syscall name (only those made); empty when perf could not count. */
  static Map<String, Long> counts(Path output) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    if (!Files.exists(output)) {
      return counts;
    }
    for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
      // CSV: value,unit,event,...; "<not counted>" or "<not supported>" when perf could not.
      String[] fields = line.split(",");
      if (fields.length > 2 && fields[0].matches("\\d+") && fields[2].contains("sys_enter_")) {
        long value = Long.parseLong(fields[0]);
        if (value > 0) {
          counts.put(fields[2].substring(fields[2].indexOf("sys_enter_") + 10), value);
        }
      }
    }
    return counts;
  }

  /** Per request, rounded, with their total; "perf" says why it is empty when it is. */
  static JsonObject perRequest(Map<String, Long> counts, long requests) {
    JsonObject json = new JsonObject();
    if (counts.isEmpty() || requests <= 0) {
      return json.put("perf", "could not count (not permitted, or no syscall tracepoints)");
    }
    long total = 0;
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      json.put(entry.getKey(), Math.round(entry.getValue() * 1000.0 / requests) / 1000.0);
      total += entry.getValue();
    }
    return json.put("total", Math.round(total * 1000.0 / requests) / 1000.0);
  }

  static String describe(JsonObject perRequest) {
    return perRequest.fieldNames().stream().sorted()
        .map(name -> String.format(Locale.ROOT, "%s %s", name, perRequest.getValue(name)))
        .collect(Collectors.joining(", "));
  }
}
