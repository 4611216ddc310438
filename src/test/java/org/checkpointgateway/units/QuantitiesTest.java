package org.checkpointgateway.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
