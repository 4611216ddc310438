package org.checkpointgateway.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.checkpointgateway.units.Durations.BareNumber;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The one duration parser against the two it replaced, kept here frozen as the reference
 * ({@code config.Durations.parse}, which refused a bare number, and {@code Quantities.duration},
 * which read it as seconds): every text either accepted is accepted with the same meaning.
 */
class DurationsPropertiesTest {

  /** Texts near the grammar: digits, units in both cases, and the usual mistakes. */
  static final String ALPHABET = "0123456789dhmsDHMSw .-";
  static final Gen<String> NEAR = lists().of(integers().between(0, ALPHABET.length() - 1)
          .map(i -> String.valueOf(ALPHABET.charAt(i))))
      .ofSizeBetween(0, 9).map(chars -> String.join("", chars));
  /** Well-formed parts: a number and a unit, several in a row, in any order. */
  static final Gen<String> PARTS = lists().of(longs().between(0, 100_000).zip(
          integers().between(0, 7), (n, u) -> n + new String[] {"d", "h", "m", "s", "ms", "", "D", "H"}[u]))
      .ofSizeBetween(1, 4).map(parts -> String.join("", parts));
  static final Gen<String> TEXTS = NEAR.mix(PARTS).mix(strings().allPossible().ofLengthBetween(0, 12));

  @Test
  void withBareSecondsItReadsEveryTextAsQuantitiesDurationDid() {
    qt().withExamples(20_000).forAll(TEXTS).checkAssert(text ->
        assertThat(parsed(() -> Durations.parse(text, BareNumber.SECONDS))).as(text)
            .isEqualTo(parsed(() -> Legacy.quantitiesDuration(text))));
  }

  @Test
  void withTheUnitRequiredItAcceptsAllThatDurationsParseDidAndNoBareNumber() {
    qt().withExamples(20_000).forAll(TEXTS).checkAssert(text -> {
      Optional<Duration> before = parsed(() -> Legacy.durationsParse(text));
      Optional<Duration> now = parsed(() -> Durations.parse(text));
      if (before.isPresent()) {
        assertThat(now).as(text).isEqualTo(before);
      }
      if (text.trim().matches("\\d+")) {
        assertThat(now).as(text).isEmpty();
      }
      // What it takes beyond the old parser is exactly what the bare-seconds one took.
      if (now.isPresent() && before.isEmpty()) {
        assertThat(parsed(() -> Legacy.quantitiesDuration(text))).as(text).isEqualTo(now);
      }
    });
  }

  /** The value, or empty when refused; refusals must be IllegalArgumentExceptions. */
  static Optional<Duration> parsed(java.util.function.Supplier<Duration> parse) {
    try {
      return Optional.of(parse.get());
    } catch (IllegalArgumentException refused) {
      return Optional.empty();
    }
  }

  /** The two parsers as they were before they became one (commit 517cca1). */
  static final class Legacy {
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+[dhms])+");
    private static final Pattern PART = Pattern.compile("(\\d+)([dhms])");

    static Duration durationsParse(String text) {
      String trimmed = text == null ? "" : text.trim();
      if (!WHOLE.matcher(trimmed).matches()) {
        throw new IllegalArgumentException("not a duration");
      }
      Duration total = Duration.ZERO;
      int lastUnit = -1;
      Matcher part = PART.matcher(trimmed);
      while (part.find()) {
        int unit = "dhms".indexOf(part.group(2).charAt(0));
        if (unit <= lastUnit) {
          throw new IllegalArgumentException("not a duration");
        }
        lastUnit = unit;
        try {
          long amount = Long.parseLong(part.group(1));
          total = total.plus(switch (part.group(2)) {
            case "d" -> Duration.ofDays(amount);
            case "h" -> Duration.ofHours(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
          });
        } catch (NumberFormatException | ArithmeticException e) {
          throw new IllegalArgumentException("duration too long");
        }
      }
      return total;
    }

    static Duration quantitiesDuration(String text) {
      String trimmed = text.trim().toLowerCase(Locale.ROOT);
      if (trimmed.matches("\\d+")) {
        return Duration.ofSeconds(Long.parseLong(trimmed));
      }
      if (trimmed.matches("\\d+ms")) {
        return Duration.ofMillis(Long.parseLong(trimmed.substring(0, trimmed.length() - 2)));
      }
      return durationsParse(trimmed);
    }
  }
}
