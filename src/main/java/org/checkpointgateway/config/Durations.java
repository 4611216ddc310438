package org.checkpointgateway.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: one or more whole numbers each followed by a unit, {@code s}
 * (seconds), {@code m} (minutes), {@code h} (hours) or {@code d} (days of 24 hours), largest
 * first: {@code 90s}, {@code 30m}, {@code 12h}, {@code 7d}, {@code 1h30m}. A bare number is
 * refused, so a forgotten unit is never taken for seconds.
 */
public final class Durations {

  private static final Pattern WHOLE = Pattern.compile("(?:\\d+[dhms])+");
  private static final Pattern PART = Pattern.compile("(\\d+)([dhms])");
  private static final String UNITS = "dhms";

  private Durations() {
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the expected format
   */
  public static Duration parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    if (!WHOLE.matcher(trimmed).matches()) {
      throw new IllegalArgumentException("not a duration: '" + text
          + "' (use whole numbers with units d, h, m, s: 30m, 12h, 7d, 1h30m)");
    }
    Duration total = Duration.ZERO;
    int lastUnit = -1;
    Matcher part = PART.matcher(trimmed);
    while (part.find()) {
      int unit = UNITS.indexOf(part.group(2).charAt(0));
      if (unit <= lastUnit) {
        throw new IllegalArgumentException("not a duration: '" + text
            + "' (units must go from largest to smallest, each once: 1d12h, 1h30m)");
      }
      lastUnit = unit;
      long amount;
      try {
        amount = Long.parseLong(part.group(1));
        total = total.plus(switch (part.group(2)) {
          case "d" -> Duration.ofDays(amount);
          case "h" -> Duration.ofHours(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofSeconds(amount);
        });
      } catch (NumberFormatException | ArithmeticException e) {
        throw new IllegalArgumentException("duration too long: '" + text + "'");
      }
    }
    return total;
  }

  /** The shortest text {@link #parse} reads back as {@code duration} (whole seconds). */
  public static String format(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds == 0) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    long[] sizes = {86_400, 3_600, 60, 1};
    for (int i = 0; i < sizes.length; i++) {
      if (seconds >= sizes[i]) {
        text.append(seconds / sizes[i]).append(UNITS.charAt(i));
        seconds %= sizes[i];
      }
    }
    return text.toString();
  }
}
