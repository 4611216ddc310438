package org.checkpointgateway.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({"90s,PT1M30S,1m30s", "30m,PT30M,30m", "12h,PT12H,12h", "7d,PT168H,7d",
      "1h30m,PT1H30M,1h30m", "1d12h,PT36H,1d12h", "0s,PT0S,0s"})
  void parsesAndFormats(String text, String iso, String formatted) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(formatted);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "7", "7 d", "1.5h", "-1d", "1w", "30m1h", "1h1h", "d",
      "99999999999999999999d"})
  void refusesEverythingElse(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration");
  }

  @Test
  void aBareNumberIsSecondsOnlyWhereTheOptionSaysSo() {
    assertThat(Durations.parse("30", Durations.BareNumber.SECONDS)).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> Durations.parse("30")).hasMessageContaining("use whole numbers with units");
    // Milliseconds and upper-case units read the same under both.
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("1H30M", Durations.BareNumber.SECONDS)).isEqualTo(Duration.ofMinutes(90));
    assertThatThrownBy(() -> Durations.parse("1w", Durations.BareNumber.SECONDS))
        .hasMessageContaining("7d");
  }
}
