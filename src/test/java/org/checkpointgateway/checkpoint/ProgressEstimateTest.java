package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The estimates shown to callers: monotonic, never "done" early, learning from past runs. */
class ProgressEstimateTest {

  @Test
  void fractionRisesToNinetyPercentAtTheEstimateThenCreepsBelowNinetyNine() {
    Duration estimate = Duration.ofSeconds(10);
    double previous = -1;
    for (int ms = 0; ms <= 600_000; ms += 500) {
      double fraction = RuntimeCheckpointService.estimatedFraction(Duration.ofMillis(ms), estimate);
      assertThat(fraction).isGreaterThan(previous).isLessThan(0.99);
      previous = fraction;
    }
    assertThat(RuntimeCheckpointService.estimatedFraction(Duration.ofSeconds(5), estimate)).isEqualTo(0.45);
    assertThat(RuntimeCheckpointService.estimatedFraction(estimate, estimate)).isEqualTo(0.9);
  }

  @Test
  void throughputLearnsFromCompletedCheckpointsAndIgnoresTinySamples() {
    ThroughputEstimator throughput = new ThroughputEstimator();
    assertThat(throughput.bytesPerSecond()).isEqualTo(ThroughputEstimator.INITIAL_BYTES_PER_SECOND);
    throughput.record(1L << 30, Duration.ofMillis(10)); // too short to mean anything
    assertThat(throughput.bytesPerSecond()).isEqualTo(ThroughputEstimator.INITIAL_BYTES_PER_SECOND);
    for (int i = 0; i < 30; i++) {
      throughput.record(100L << 20, Duration.ofSeconds(1));
    }
    assertThat(throughput.bytesPerSecond()).isCloseTo(100.0 * (1 << 20), org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(throughput.estimate(200L << 20)).isBetween(Duration.ofMillis(1990), Duration.ofMillis(2010));
  }
}
