package org.checkpointgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuantitiesTest {

  @Test
  void sizesInDecimalAndBinaryUnits() {
    assertThat(Quantities.bytes("1073741824")).isEqualTo(1L << 30);
    assertThat(Quantities.bytes("8Gi")).isEqualTo(8L << 30);
    assertThat(Quantities.bytes("512Mi")).isEqualTo(512L << 20);
    assertThat(Quantities.bytes("500M")).isEqualTo(500_000_000L);
    assertThat(Quantities.bytes("2k")).isEqualTo(2000);
    assertThat(Quantities.bytes("1Pi")).isEqualTo(1L << 50);
    assertThatThrownBy(() -> Quantities.bytes("-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Quantities.bytes("1.5G")).hasMessageContaining("512Mi");
    assertThatThrownBy(() -> Quantities.bytes("99999Pi")).isInstanceOf(ArithmeticException.class);
  }

  @Test
  void durationsWithUnitsOrBareSeconds() {
    assertThat(Quantities.duration("30")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Quantities.duration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Quantities.duration("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(Quantities.duration("12h")).isEqualTo(Duration.ofHours(12));
    assertThat(Quantities.duration("7d")).isEqualTo(Duration.ofDays(7));
    assertThatThrownBy(() -> Quantities.duration("1w")).hasMessageContaining("7d");
  }
}
