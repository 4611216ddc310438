package org.checkpointgateway.config;

import static org.checkpointgateway.units.Durations.BareNumber.SECONDS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.checkpointgateway.config.Option.Kind;
import org.checkpointgateway.units.Durations;
import org.checkpointgateway.units.Quantities;

/**
 * The kinds of value options take. Every refusal is one line, the origin (flag or file key) first:
 * {@code --port: must be between 0 and 65535, got 70000}.
 */
final class Kinds {

  static final Kind<String> TEXT = text(s -> s, s -> s);
  static final Kind<Path> PATH = text(Path::of, Path::toString);
  static final Kind<Path> FILE = text(s -> readable(Path.of(s)), Path::toString);
  /** A file or a list of them (a flag that may repeat). */
  static final Kind<List<Path>> FILES = new Kind<>(setting -> {
    List<?> raw = setting.value() instanceof List<?> list ? list : List.of(setting.value());
    List<Path> files = new ArrayList<>();
    for (Object item : raw) {
      files.add(readable(Path.of(String.valueOf(item)), setting.origin()));
    }
    return List.copyOf(files);
  }, String::valueOf);
  static final Kind<Boolean> BOOLEAN = text(s -> switch (s.toLowerCase(Locale.ROOT)) {
    case "true" -> true;
    case "false" -> false;
    default -> throw new IllegalArgumentException("must be true or false, got " + s);
  }, String::valueOf);
  /** Sizes: {@code 1073741824}, {@code 500M}, {@code 8Gi}. */
  static final Kind<Long> BYTES = text(Quantities::bytes, Kinds::showBytes);
  /** A bare number is seconds; 0 is allowed. */
  static final Kind<Duration> DURATION = text(s -> Durations.parse(s, SECONDS), Kinds::showDuration);
  /** A bare number is seconds; 0 is refused. */
  static final Kind<Duration> POSITIVE_DURATION = DURATION
      .and(value -> value.isZero() ? "must be more than 0" : null);
  /** Ages must name their unit: a bare 7 could mean seconds or days. */
  static final Kind<Duration> DURATION_WITH_UNIT = text(Kinds::withUnit, Kinds::showDuration);
  /** As {@link #DURATION_WITH_UNIT}, or 0 (a bare zero needs no unit) to turn something off. */
  static final Kind<Duration> DURATION_WITH_UNIT_OR_ZERO =
      text(s -> s.equals("0") ? Duration.ZERO : withUnit(s), Kinds::showDuration);

  private Kinds() {
  }

  /** A single, non-empty value, trimmed; {@code parse} refuses with IllegalArgumentException. */
  static <T> Kind<T> text(Function<String, T> parse, Function<T, String> show) {
    return new Kind<>(setting -> {
      if (setting.value() instanceof Map<?, ?> || setting.value() instanceof List<?>) {
        throw new ConfigException(setting.origin() + ": must be a single value");
      }
      String value = String.valueOf(setting.value()).trim();
      if (value.isEmpty()) {
        throw new ConfigException(setting.origin() + ": must not be empty");
      }
      try {
        return parse.apply(value);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new ConfigException(setting.origin() + ": " + e.getMessage());
      }
    }, show);
  }

  static Kind<Integer> integer(int min, int max) {
    return text(s -> {
      long value;
      try {
        value = Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("must be a whole number, got " + s);
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + s);
      }
      return (int) value;
    }, String::valueOf);
  }

  private static Duration withUnit(String text) {
    Duration value = Durations.parse(text);
    if (value.isZero()) {
      throw new IllegalArgumentException("must be longer than 0s");
    }
    return value;
  }

  private static Path readable(Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(file + ": no such readable file");
    }
    return file;
  }

  private static Path readable(Path file, String origin) {
    try {
      return readable(file);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(origin + ": " + e.getMessage());
    }
  }

  /** The shortest way to write {@code bytes}: {@code 1Gi}, {@code 64Ki}, or the number. */
  static String showBytes(long bytes) {
    String[] units = {"Pi", "Ti", "Gi", "Mi", "Ki"};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << (10 * (units.length - i));
      if (bytes != 0 && bytes % unit == 0) {
        return bytes / unit + units[i];
      }
    }
    return Long.toString(bytes);
  }

  static String showDuration(Duration duration) {
    return duration.toMillis() % 1000 != 0 ? duration.toMillis() + "ms" : Durations.format(duration);
  }
}
