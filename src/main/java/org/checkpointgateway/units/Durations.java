package org.checkpointgateway.units;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them, one grammar for every option, flag and command: whole numbers
 * each followed by a unit {@code d} (days of 24 hours), {@code h}, {@code m} or {@code s}, largest
 * first ({@code 90s}, {@code 30m}, {@code 12h}, {@code 7d}, {@code 1h30m}), or a number of
 * milliseconds ({@code 250ms}); units in either case. A bare number ({@code 30}) is seconds only
 * where the option says so ({@link BareNumber#SECONDS}); elsewhere it is refused, so that a
 * forgotten unit on an age is never taken for seconds.
 */
public final class Durations {

  /** What a bare number means. */
  public enum BareNumber {
    /** Seconds: {@code 30} is 30 s (timeouts, intervals). */
    SECONDS,
    /** Refused: the unit must be written (ages, lifetimes: a bare 7 could mean days). */
    REFUSED
  }

  private static final Pattern BARE = Pattern.compile("\\d+");
  private static final Pattern MILLIS = Pattern.compile("(\\d+)ms");
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+[dhms])+");
  private static final Pattern PART = Pattern.compile("(\\d+)([dhms])");
  private static final String UNITS = "dhms";

  private Durations() {
  }

  /** {@link #parse(String, BareNumber)} with the unit required. */
  public static Duration parse(String text) {
    return parse(text, BareNumber.REFUSED);
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the expected format
   */
  public static Duration parse(String text, BareNumber bare) {
    String trimmed = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    try {
      if (BARE.matcher(trimmed).matches() && bare == BareNumber.SECONDS) {
        return Duration.ofSeconds(Long.parseLong(trimmed));
      }
      Matcher millis = MILLIS.matcher(trimmed);
      if (millis.matches()) {
        return Duration.ofMillis(Long.parseLong(millis.group(1)));
      }
      if (WHOLE.matcher(trimmed).matches()) {
        return units(trimmed, text, bare);
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("duration too long: '" + text + "'");
    }
    throw new IllegalArgumentException(bare == BareNumber.SECONDS
        ? "must be a duration like 30, 250ms, 90s, 15m, 12h, 7d or 1h30m, got " + text
        : "not a duration: '" + text
            + "' (use whole numbers with units d, h, m, s: 30m, 12h, 7d, 1h30m)");
  }

  private static Duration units(String trimmed, String text, BareNumber bare) {
    Duration total = Duration.ZERO;
    int lastUnit = -1;
    Matcher part = PART.matcher(trimmed);
    while (part.find()) {
      int unit = UNITS.indexOf(part.group(2).charAt(0));
      if (unit <= lastUnit) {
        throw new IllegalArgumentException(bare == BareNumber.SECONDS
            ? "must be a duration like 30, 250ms, 90s, 15m, 12h, 7d or 1h30m, got " + text
            : "not a duration: '" + text
                + "' (units must go from largest to smallest, each once: 1d12h, 1h30m)");
      }
      lastUnit = unit;
      long amount = Long.parseLong(part.group(1));
      total = total.plus(switch (part.group(2)) {
        case "d" -> Duration.ofDays(amount);
        case "h" -> Duration.ofHours(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofSeconds(amount);
      });
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
