package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.outcome.RangeNotSatisfiableException;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** {@code Range} parsing, against the regular expression it replaced and against the RFC. */
class ByteRangePropertiesTest {

  /** Headers built of the pieces a Range is made of, and of pieces that break it. */
  static final Gen<String> HEADERS = lists().of(arbitrary().pick("bytes", "BYTES", "Bytes", "byte",
      "=", "-", ",", " ", "  ", "\t", "\r", "\u000b", "\u00a0", "\u2028", "\u017f", "x", "0", "7",
      "42", "999999999999999999", "9999999999999999999", "0000000000000000001", "+1", "ſ")
      .mix(strings().numericBetween(0, Integer.MAX_VALUE))).ofSizeBetween(0, 14)
      .map(pieces -> String.join("", pieces));
  static final Gen<Long> SIZES = longs().between(0, 1L << 40).mix(arbitrary().pick(0L, 1L, 10L, 4096L));

  @Test
  void agreesWithTheRegularExpressionItReplaced() {
    qt().forAll(HEADERS, SIZES).checkAssert((header, size) ->
        assertThat(outcome(() -> ByteRange.parse(header, size)))
            .isEqualTo(outcome(() -> OldByteRange.parse(header, size))));
  }

  @Test
  void aRangeWithinTheArchiveIsServedExactly() {
    qt().forAll(longs().between(1, 1L << 40), longs().between(0, 1L << 40), longs().between(0, 1L << 41))
        .assuming((size, first, last) -> first <= last)
        .checkAssert((size, first, last) -> {
          String header = "bytes=" + first + "-" + last;
          if (first >= size) {
            assertThatThrownBy(() -> ByteRange.parse(header, size))
                .isInstanceOf(RangeNotSatisfiableException.class);
          } else {
            ByteRange range = ByteRange.parse(header, size).orElseThrow();
            assertThat(range.first()).isEqualTo(first);
            assertThat(range.last()).isEqualTo(Math.min(last, size - 1));
            assertThat(range.contentRange(size)).isEqualTo("bytes " + first + "-" + range.last() + "/" + size);
          }
        });
  }

  @Test
  void anythingElseIsIgnoredOrUnsatisfiableAndARangeNeverLeavesTheArchive() {
    Gen<String> anything = strings().allPossible().ofLengthBetween(0, 600).mix(HEADERS)
        .mix(integers().between(0, 20_000).map(n -> "bytes=" + " ".repeat(n) + "0-1"));
    qt().forAll(anything, SIZES).checkAssert((header, size) -> {
      Optional<ByteRange> range;
      try {
        range = ByteRange.parse(header, size);
      } catch (RangeNotSatisfiableException e) {
        return;
      }
      if (header.length() > ByteRange.MAX_LENGTH) {
        assertThat(range).isEmpty();
      }
      range.ifPresent(r -> {
        assertThat(r.first()).isBetween(0L, size - 1);
        assertThat(r.last()).isBetween(r.first(), size - 1);
        assertThat(r.length()).isBetween(1L, size);
      });
    });
  }

  private static Object outcome(java.util.function.Supplier<Optional<ByteRange>> parse) {
    try {
      return parse.get();
    } catch (RangeNotSatisfiableException e) {
      return "416 " + e.getMessage();
    }
  }

  /** The parser as it was: a regular expression, quadratic on runs of white space. */
  static final class OldByteRange {
    private static final Pattern SINGLE = Pattern.compile(
        "\\s*bytes\\s*=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*", Pattern.CASE_INSENSITIVE);

    static Optional<ByteRange> parse(String header, long size) {
      if (header == null || header.length() > ByteRange.MAX_LENGTH) {
        return Optional.empty(); // the new bound; below it, the old answers
      }
      Matcher m = SINGLE.matcher(header);
      if (!m.matches() || m.group(1).length() > 18 || m.group(2).length() > 18) {
        return Optional.empty();
      }
      String from = m.group(1);
      String to = m.group(2);
      if (from.isEmpty()) {
        if (to.isEmpty()) {
          return Optional.empty();
        }
        long suffix = Long.parseLong(to);
        if (suffix == 0 || size == 0) {
          throw new RangeNotSatisfiableException(header.trim(), size);
        }
        return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
      }
      long first = Long.parseLong(from);
      if (!to.isEmpty() && Long.parseLong(to) < first) {
        return Optional.empty();
      }
      long last = to.isEmpty() ? size - 1 : Long.parseLong(to);
      if (first >= size) {
        throw new RangeNotSatisfiableException(header.trim(), size);
      }
      return Optional.of(new ByteRange(first, Math.min(last, size - 1)));
    }
  }
}
