package org.checkpointgateway.units;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as people write them: {@code 8Gi}, {@code 500M}, {@code 1073741824}. */
public final class Quantities {

  private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*([kmgtp]i?)?");

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
}
