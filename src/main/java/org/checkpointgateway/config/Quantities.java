package org.checkpointgateway.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and durations as people write them: {@code 8Gi}, {@code 500M}, {@code 1073741824};
 * {@code 90s}, {@code 15m}, {@code 12h}, {@code 7d}, {@code 250ms}, or a bare number of seconds.
 */
public final class Quantities {

  private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*([kmgtp]i?)?b?");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private Quantities() {
  }

  /**
   * Bytes: a whole number with an optional suffix, decimal ({@code k M G T P}: powers of 1000) or
   * binary ({@code Ki Mi Gi Ti Pi}: powers of 1024), as Kubernetes quantities are written.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  public static long bytes(String text) {
    Matcher m = BYTES.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("must be a size like 1073741824, 512Mi or 8Gi, got " + text);
    }
    long number = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    int power = unit.isEmpty() ? 0 : "kmgtp".indexOf(unit.charAt(0)) + 1;
    long base = unit.endsWith("i") ? 1024 : 1000;
    long value = number;
    for (int i = 0; i < power; i++) {
      value = Math.multiplyExact(value, base);
    }
    return value;
  }

  /**
   * A duration: a whole number with an optional unit {@code ms s m h d}; a bare number is seconds.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  public static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("must be a duration like 30, 90s, 15m, 12h or 7d, got " + text);
    }
    long number = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(number);
      case "s" -> Duration.ofSeconds(number);
      case "m" -> Duration.ofMinutes(number);
      case "h" -> Duration.ofHours(number);
      default -> Duration.ofDays(number);
    };
  }
}
