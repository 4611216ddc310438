package org.checkpointgateway.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the gateway's event streams hold back, shared by every HTTP verticle of one gateway.
 * Prometheus names: {@code event_stream_buffered_bytes} (written to streams, not yet taken by the
 * clients' sockets), {@code event_stream_events_dropped_total} (progress and queued events
 * replaced by a newer one while a client did not read), {@code event_stream_stalled_total}
 * (streams closed because their client stayed unreachable).
 */
public final class StreamMeters {

  private final AtomicLong buffered = new AtomicLong();
  private final Counter dropped;
  private final Counter stalled;

  public StreamMeters(MeterRegistry registry) {
    Gauge.builder("event.stream.buffered", buffered, AtomicLong::get).baseUnit("bytes")
        .description("Bytes written to event streams and not yet taken by the clients' sockets")
        .register(registry);
    dropped = Counter.builder("event.stream.events.dropped")
        .description("Progress and queued events dropped because a client did not read")
        .register(registry);
    stalled = Counter.builder("event.stream.stalled")
        .description("Event streams closed because their client stayed unreachable")
        .register(registry);
  }

  void buffered(long delta) {
    buffered.addAndGet(delta);
  }

  void dropped() {
    dropped.increment();
  }

  void stalled() {
    stalled.increment();
  }
}
