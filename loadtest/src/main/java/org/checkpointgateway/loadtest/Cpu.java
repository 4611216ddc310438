package org.checkpointgateway.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time a process used so far (user + system), from /proc/PID/stat; -1 when unknown. */
final class Cpu {

  // USER_HZ: 100 on every Linux we run on (sysconf(_SC_CLK_TCK)).
  private static final double TICKS_PER_SECOND = 100.0;

  private Cpu() {
  }

  static double seconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      // Fields after the command name (which may hold spaces) start after the last ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static double self() {
    return seconds(ProcessHandle.current().pid());
  }
}
