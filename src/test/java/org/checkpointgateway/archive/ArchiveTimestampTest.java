package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An archive's timestamp, its second formatted once, reads as the full pattern would write it. */
class ArchiveTimestampTest {

  @Test
  void theTimestampIsWhatTheFullPatternWrites() {
    // Seconds from 1970 to 2200, nanos across their whole range; the same second twice in a row
    // (a cached prefix) and a new one (a replaced prefix) both occur.
    qt().forAll(longs().between(0, 7_258_118_400L), integers().between(0, 999_999_999))
        .checkAssert((seconds, nanos) -> {
          Instant time = Instant.ofEpochSecond(seconds, nanos);
          assertThat(ArchiveDirectory.timestamp(time))
              .isEqualTo(ArchiveDirectory.TIMESTAMP.format(time));
          Instant sameSecond = Instant.ofEpochSecond(seconds, (nanos + 1) % 1_000_000_000);
          assertThat(ArchiveDirectory.timestamp(sameSecond))
              .isEqualTo(ArchiveDirectory.TIMESTAMP.format(sameSecond));
        });
    Instant exact = Instant.parse("2026-12-01T18:28:02.000000700Z");
    assertThat(ArchiveDirectory.timestamp(exact)).isEqualTo("2026-12-01T18:28:02.000000700Z");
  }
}
