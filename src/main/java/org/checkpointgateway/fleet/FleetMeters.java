package org.checkpointgateway.fleet;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.checkpointgateway.outcome.UnavailableException;
import org.checkpointgateway.metrics.GatewayMetrics;

/**
 * The fleet's metrics: members, directory entries, and forwarded requests by a fixed set of
 * outcomes ({@code answered}: the owner's success, {@code refused}: the owner's failure answer,
 * {@code unavailable}: the owner left or did not answer), with their latency.
 */
final class FleetMeters {

  private final Map<String, Timer> forwarded;

  FleetMeters(GatewayMetrics metrics, Members members, PodDirectory directory) {
    MeterRegistry registry = metrics.registry();
    metrics.gauge("fleet.members", "Members of the fleet as this member sees them",
        () -> members.names().size());
    metrics.gauge("fleet.directory.pods", "Pods in the fleet's directory", directory::size);
    forwarded = Map.of(
        "answered", timer(registry, "answered"),
        "refused", timer(registry, "refused"),
        "unavailable", timer(registry, "unavailable"));
  }

  void forwarded(AsyncResult<?> done, long nanos) {
    String outcome = done.succeeded() ? "answered"
        : done.cause() instanceof UnavailableException ? "unavailable" : "refused";
    forwarded.get(outcome).record(nanos, TimeUnit.NANOSECONDS);
  }

  private static Timer timer(MeterRegistry registry, String outcome) {
    return Timer.builder("fleet.forwarded")
        .description("Checkpoint requests carried out by another member, by outcome")
        .tag("outcome", outcome).register(registry);
  }
}
