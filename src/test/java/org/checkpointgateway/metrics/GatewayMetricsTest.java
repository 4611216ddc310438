package org.checkpointgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.checkpointgateway.outcome.CheckpointFailedException;
import org.checkpointgateway.outcome.InsufficientStorageException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.outcome.OverloadedException;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import org.checkpointgateway.outcome.UnavailableException;
import org.junit.jupiter.api.Test;

/** The gateway's own meters: their names, their bounded labels, and what they count. */
class GatewayMetricsTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final GatewayMetrics metrics = GatewayMetrics.create(registry);

  static CheckpointFailedException runtime(String code) {
    return new CheckpointFailedException("default/demo/app", new RuntimeCallFailedException(code, "x"));
  }

  @Test
  void everyCheckpointOutcomeHasItsOwnBoundedLabel() {
    assertThat(GatewayMetrics.outcome(null)).isEqualTo("succeeded");
    assertThat(GatewayMetrics.outcome(runtime("DeadlineExceeded"))).isEqualTo("deadline_exceeded");
    assertThat(GatewayMetrics.outcome(runtime("Canceled"))).isEqualTo("cancelled");
    assertThat(GatewayMetrics.outcome(runtime("Unknown"))).isEqualTo("runtime_failed");
    assertThat(GatewayMetrics.outcome(new OverloadedException("full", 1)))
        .isEqualTo("rejected_queue_full");
    assertThat(GatewayMetrics.outcome(new InsufficientStorageException("full")))
        .isEqualTo("rejected_no_space");
    assertThat(GatewayMetrics.outcome(new UnavailableException("stopping")))
        .isEqualTo("rejected_stopping");
    // Neither a runtime's code nor a caller's text becomes a label.
    assertThat(GatewayMetrics.outcome(new CheckpointFailedException("default/demo/app",
        "no archive", "ArchiveMissing"))).isEqualTo("failed");
    assertThat(GatewayMetrics.outcome(new NotFoundException("pod does not exist"))).isEqualTo("failed");
    assertThat(GatewayMetrics.outcome(new IllegalStateException("bug"))).isEqualTo("failed");
  }

  @Test
  void checkpointsAreTimedByOutcome() {
    metrics.checkpointEnded(null, Duration.ofMillis(200));
    metrics.checkpointEnded(null, Duration.ofMillis(400));
    metrics.checkpointEnded(runtime("DeadlineExceeded"), Duration.ofSeconds(3));

    var succeeded = registry.find("checkpoint.duration").tag("outcome", "succeeded").timer();
    assertThat(succeeded.count()).isEqualTo(2);
    assertThat(succeeded.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(600.0);
    assertThat(registry.find("checkpoint.duration").tag("outcome", "deadline_exceeded").timer()
        .count()).isEqualTo(1);
    assertThat(registry.find("checkpoint.duration").timers()).hasSize(2);
  }

  @Test
  void criCallsAreTimedByMethodAndCode() {
    metrics.criCall("CheckpointContainer", "OK", Duration.ofMillis(50));
    metrics.criCall("CheckpointContainer", "Unimplemented", Duration.ofMillis(1));
    metrics.criCall("CheckpointContainer", "OK", Duration.ofMillis(70));

    assertThat(registry.find("cri.call.duration").tags("method", "CheckpointContainer", "code", "OK")
        .timer().count()).isEqualTo(2);
    assertThat(registry.find("cri.call.duration").tags("code", "Unimplemented").timer().count())
        .isEqualTo(1);
  }

  @Test
  void theKeptMetersCountOnlyTheirOwnSeries() {
    String checkpoint = "CheckpointContainer";
    // Kept by the first, found by the second; a failure of the kept method is not an OK.
    metrics.criCall(checkpoint, "OK", 1_000_000L);
    metrics.criCall(checkpoint, "OK", 1_000_000L);
    metrics.criCall(checkpoint, "Unavailable", 1_000_000L);
    // Another method in between takes the place; an equal name in another string is looked up.
    metrics.criCall("ListContainers", "OK", 1_000_000L);
    metrics.criCall(checkpoint, "OK", 1_000_000L);
    metrics.criCall(new String(checkpoint), "OK", 1_000_000L);
    metrics.criCall("ListContainers", "OK", 1_000_000L);
    for (int i = 0; i < 9; i++) {
      metrics.checkpointEnded(i % 3 == 1 ? runtime("Canceled") : null, 1_000_000L);
    }

    assertThat(registry.find("cri.call.duration").tags("method", checkpoint, "code", "OK")
        .timer().count()).isEqualTo(4);
    assertThat(registry.find("cri.call.duration").tags("method", checkpoint, "code",
        "Unavailable").timer().count()).isEqualTo(1);
    assertThat(registry.find("cri.call.duration").tags("method", "ListContainers", "code", "OK")
        .timer().count()).isEqualTo(2);
    assertThat(registry.find("checkpoint.duration").tag("outcome", "succeeded").timer().count())
        .isEqualTo(6);
    assertThat(registry.find("checkpoint.duration").tag("outcome", "cancelled").timer().count())
        .isEqualTo(3);
  }

  @Test
  void aSeriesAppearsOnlyOnceItCountedSomething() {
    assertThat(registry.find("checkpoint.duration").timers()).isEmpty();
    assertThat(registry.find("cri.call.duration").timers()).isEmpty();
    metrics.checkpointEnded(runtime("Canceled"), 1L);
    metrics.criCall("CheckpointContainer", "Unavailable", 1L);
    assertThat(registry.find("checkpoint.duration").tag("outcome", "succeeded").timer()).isNull();
    assertThat(registry.find("cri.call.duration").tag("code", "OK").timer()).isNull();
  }

  @Test
  void gaugesAreReadAtEachScrape() {
    AtomicLong queued = new AtomicLong(3);
    metrics.gauge("checkpoint.queued", "waiting checkpoints", queued::get);
    assertThat(registry.find("checkpoint.queued").gauge().value()).isEqualTo(3.0);
    queued.set(5);
    assertThat(registry.find("checkpoint.queued").gauge().value()).isEqualTo(5.0);
  }

  @Test
  void noneCountsNothingAnyoneReads() {
    // The fixture's registry holds the series bound at creation (the kubelet's); none() adds nothing to it.
    List<Meter> before = List.copyOf(registry.getMeters());
    GatewayMetrics none = GatewayMetrics.none();
    none.checkpointEnded(null, Duration.ofMillis(1));
    assertThat(none.registry()).isNotSameAs(registry);
    assertThat(registry.getMeters()).containsExactlyInAnyOrderElementsOf(before);
  }
}
