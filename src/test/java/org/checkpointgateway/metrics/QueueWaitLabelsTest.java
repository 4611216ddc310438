package org.checkpointgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The namespace label of the queue wait: a bounded set, whatever namespaces come and go. */
class QueueWaitLabelsTest {

  @Test
  void namespacesBeyondTheBoundCountAsOther() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GatewayMetrics metrics = GatewayMetrics.create(registry);
    for (int i = 0; i < 3 * GatewayMetrics.MAX_NAMESPACE_LABELS; i++) {
      metrics.queueWait("build-" + i, Duration.ofMillis(1));
      metrics.queueWait("build-0", Duration.ofMillis(1));
    }
    Set<String> labels = registry.find("checkpoint.queue.wait").timers().stream()
        .map(timer -> timer.getId().getTag("namespace")).collect(Collectors.toSet());
    assertThat(labels).hasSize(GatewayMetrics.MAX_NAMESPACE_LABELS + 1)
        .contains("build-0", "build-99", "other").doesNotContain("build-100");
    Timer other = registry.find("checkpoint.queue.wait").tag("namespace", "other").timer();
    assertThat(other.count()).isEqualTo(2L * GatewayMetrics.MAX_NAMESPACE_LABELS);
    assertThat(registry.find("checkpoint.queue.wait").tag("namespace", "build-0").timer().count())
        .isEqualTo(3L * GatewayMetrics.MAX_NAMESPACE_LABELS + 1);
  }
}
