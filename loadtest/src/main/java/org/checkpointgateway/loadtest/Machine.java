package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** What the numbers were measured on: cores, memory, Java, and how busy the machine was. */
final class Machine {

  private Machine() {
  }

  static JsonObject describe() {
    Runtime runtime = Runtime.getRuntime();
    return new JsonObject()
        .put("date", Instant.now().toString())
        .put("cores", runtime.availableProcessors())
        .put("memoryBytes", memTotalBytes())
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version")
            + " " + System.getProperty("os.arch"))
        .put("cpu", cpuModel())
        .put("javaVersion", System.getProperty("java.version"))
        .put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"))
        .put("javaCommand", ProcessHandle.current().info().command().orElse("java"))
        .put("openFilesLimit", System.getenv().getOrDefault("LOADTEST_NOFILE", "unknown"));
  }

  /** The 1, 5 and 15 minute load averages, as /proc/loadavg tells them. */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  static double loadAverage1() {
    try {
      return Double.parseDouble(loadAverage().split(" ")[0]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long memTotalBytes() {
    return procLine(Path.of("/proc/meminfo"), "MemTotal:") * 1024;
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The number after {@code key} in a /proc file of "Key: value kB" lines, or -1. */
  static long procLine(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process is gone, or not Linux
    }
    return -1;
  }
}
