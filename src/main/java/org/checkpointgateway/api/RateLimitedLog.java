package org.checkpointgateway.api;

import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A logger that writes at most {@code perSecond} lines a second, whatever callers send: the
 * lines left out are counted, and the next line written says how many. Lines are cut to
 * {@link #MAX_LINE} characters and control characters are replaced, so that what a caller sent
 * (a path, a method) can neither make a line long nor forge another one.
 */
final class RateLimitedLog {

  static final int MAX_LINE = 300;

  private final Logger logger;
  private final int perSecond;
  // Replaced whole on every change, so that event loops share it without a lock.
  private final AtomicReference<Window> window = new AtomicReference<>(new Window(0, 0, 0));

  /** {@code suppressed}: lines left out since the last line written. */
  private record Window(long second, int written, long suppressed) {
  }

  RateLimitedLog(Logger logger, int perSecond) {
    this.logger = logger;
    this.perSecond = perSecond;
  }

  /** Logs {@code message} (and {@code thrown}'s stack, when not null) unless over the rate. */
  void log(Level level, String message, Throwable thrown) {
    if (!logger.isLoggable(level)) {
      return;
    }
    long second = System.nanoTime() / 1_000_000_000L;
    Window before;
    Window after;
    do {
      before = window.get();
      if (before.second() != second) {
        after = new Window(second, 1, 0);
      } else if (before.written() < perSecond) {
        after = new Window(second, before.written() + 1, before.suppressed());
      } else {
        after = new Window(second, before.written(), before.suppressed() + 1);
      }
    } while (!window.compareAndSet(before, after));
    if (after.suppressed() > before.suppressed() && before.second() == second) {
      return;
    }
    long leftOut = before.second() != second ? before.suppressed() : 0;
    String line = clean(message) + (leftOut > 0 ? " (" + leftOut + " similar lines left out)" : "");
    logger.log(level, line, thrown);
  }

  static String clean(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LINE + 3));
    for (int i = 0; i < text.length() && out.length() < MAX_LINE; i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (text.length() > MAX_LINE) {
      out.append("...");
    }
    return out.toString();
  }
}
