package org.checkpointgateway.cli;

import java.io.PrintWriter;

/**
 * One line redrawn in place on a terminal ({@code \r}), at most every 100 ms; nothing on
 * anything else, where the commands print plain lines instead.
 */
final class ProgressBar {

  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter out;
  private final boolean terminal;
  private long lastDraw;
  private int drawnLength;

  ProgressBar(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  boolean terminal() {
    return terminal;
  }

  /** Redraws the bar at {@code fraction} (0 to 1) with a label before and a detail after. */
  void show(String label, double fraction, String detail) {
    long now = System.nanoTime();
    if (!terminal || (now - lastDraw < REDRAW_NANOS && fraction < 1)) {
      return;
    }
    lastDraw = now;
    double f = Math.max(0, Math.min(1, fraction));
    int filled = (int) Math.round(f * WIDTH);
    String line = label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "
        + String.format("%3d%%", Math.round(f * 100)) + " " + detail;
    draw(line);
  }

  /** Replaces the bar with a status line that has no bar (queued, waiting). */
  void status(String line) {
    if (terminal) {
      draw(line);
    }
  }

  /** Clears the bar so that the next output starts on a clean line. */
  void clear() {
    if (terminal && drawnLength > 0) {
      out.print("\r" + " ".repeat(drawnLength) + "\r");
      out.flush();
      drawnLength = 0;
    }
  }

  private void draw(String line) {
    String padded = line.length() < drawnLength ? line + " ".repeat(drawnLength - line.length()) : line;
    out.print("\r" + padded);
    out.flush();
    drawnLength = line.length();
  }

  /** Bytes as people read them: 1023 B, 1.5 KiB, 12.0 MiB. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
