package org.checkpointgateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.checkpointgateway.outcome.CheckpointFailedException;
import org.checkpointgateway.outcome.InsufficientStorageException;
import org.checkpointgateway.outcome.OverloadedException;
import org.checkpointgateway.outcome.UnavailableException;

/**
 * The gateway's own metrics, on the same Micrometer registry as the HTTP server's
 * ({@link HttpServerMeters}) and Vert.x's JVM and pool metrics.
 * Prometheus names: {@code checkpoint_duration_seconds{outcome}},
 * {@code checkpoint_queue_wait_seconds{namespace}}, {@code checkpoint_queue_depth},
 * {@code checkpoint_running}, {@code checkpoint_inflight_bytes},
 * {@code cri_call_duration_seconds{method,code}}.
 */
public final class GatewayMetrics {

  static final int MAX_NAMESPACE_LABELS = 100;

  /*
   * Histogram buckets: a handful each, where the answers change (Micrometer's default percentile
   * histogram has 69 buckets per series). A checkpoint takes from a tenth of a second (small
   * container) to minutes (gigabytes); admission waits are nothing, or seconds behind a queue;
   * most HTTP answers are milliseconds, a plain checkpoint answer as long as the checkpoint.
   */
  static final Duration[] CHECKPOINT_BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMinutes(1),
      Duration.ofMinutes(5)};
  static final Duration[] QUEUE_WAIT_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(100),
      Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1)};
  static final Duration[] HTTP_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(25),
      Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(2500),
      Duration.ofSeconds(10)};
  /**
   * vertx-micrometer registers some gauges (pools, connections) again for every instance of what
   * they measure; Micrometer 1.13.9+ warns the first time, on every start
   * (vert-x3/vertx-micrometer-metrics#259). The gauges share one value by design, so that one
   * warning says nothing; our own gauges still warn. Held here: JUL keeps loggers weakly.
   */
  private static final java.util.logging.Logger MICROMETER_LOG =
      java.util.logging.Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");
  static final String VERTX_GAUGE_AGAIN =
      "This Gauge has been already registered (MeterId{name='vertx.";

  static {
    MICROMETER_LOG.setFilter(entry -> entry.getMessage() == null
        || !entry.getMessage().startsWith(VERTX_GAUGE_AGAIN));
  }

  private final MeterRegistry registry;
  private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
  // Meters are kept, not looked up per call: the registry's lookup showed in profiles. Keyed by
  // their label values as they come (constants), so that finding one builds no key.
  private final Map<String, Map<String, Timer>> criCalls = new ConcurrentHashMap<>();
  private final Map<String, Timer> checkpoints = new ConcurrentHashMap<>();
  private final Map<String, Timer> queueWaits = new ConcurrentHashMap<>();
  /*
   * The meters of the steady state, kept from their first use: the CRI method that last ended
   * OK (CheckpointContainer under load), a checkpoint that succeeded. Their map lookups (two for
   * a CRI call) were a tenth of the metrics' cost per checkpoint in profiles at 256 in flight. A
   * lookup ending OK in between (the node's picture about once a second, a container's stats
   * once a second per container checkpointed) takes the place; the next checkpoint takes it
   * back. Set lazily, so that a series appears only once it counted something, as the others do.
   */
  private volatile KeptTimer lastOkCall;
  private volatile Timer checkpointsSucceeded;

  private record KeptTimer(String label, Timer timer) {
  }

  /** The kubelet's buckets for its runtime operations: ExponentialBuckets(.005, 2.5, 14). */
  static final Duration[] RUNTIME_OPERATION_BUCKETS = runtimeOperationBuckets();
  // The kubelet's runtime-operation series for checkpoints, registered once with their one label.
  private final Counter runtimeOperations;
  private final Counter runtimeOperationErrors;
  private final Timer runtimeOperationDuration;

  private GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    Tags checkpoint = Tags.of("operation_type", "checkpoint_container");
    this.runtimeOperations = Counter
        .builder("kubelet.runtime.operations")
        .description("Cumulative number of runtime operations by operation type.")
        .tags(checkpoint).register(registry);
    this.runtimeOperationErrors = Counter
        .builder("kubelet.runtime.operations.errors")
        .description("Cumulative number of runtime operation errors by operation type.")
        .tags(checkpoint).register(registry);
    this.runtimeOperationDuration = Timer.builder("kubelet.runtime.operations.duration")
        .description("Duration in seconds of runtime operations. Broken down by operation type.")
        .tags(checkpoint).serviceLevelObjectives(RUNTIME_OPERATION_BUCKETS).register(registry);
  }

  private static Duration[] runtimeOperationBuckets() {
    Duration[] buckets = new Duration[14];
    double bound = 0.005;
    for (int i = 0; i < buckets.length; i++, bound *= 2.5) {
      buckets[i] = Duration.ofNanos(Math.round(bound * 1e9));
    }
    return buckets;
  }

  public static GatewayMetrics create(MeterRegistry registry) {
    return new GatewayMetrics(registry);
  }

  /** Metrics that go nowhere: for components used without a gateway (tests, tools). */
  public static GatewayMetrics none() {
    return new GatewayMetrics(new SimpleMeterRegistry());
  }

  /** A Prometheus registry for a new gateway process. */
  public static PrometheusMeterRegistry prometheusRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * A Vertx whose metrics (HTTP requests by route, method and status, connections, pools, JVM)
   * go to {@code registry}: the HTTP server's by {@link HttpServerMeters}, the rest by
   * vertx-micrometer.
   */
  public static Vertx vertx(VertxOptions options, MeterRegistry registry) {
    return builder(options, registry).build();
  }

  /** As {@link #vertx}, unbuilt: a fleet member builds it clustered. */
  public static io.vertx.core.VertxBuilder builder(VertxOptions options, MeterRegistry registry) {
    // Netty's first channel id derives a machine id from the network interfaces, which can take
    // hundreds of milliseconds; do it here, on the caller's thread, not on the first event loop
    // that binds or connects.
    io.netty.channel.DefaultChannelId.newInstance();
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // Pools (the worker pools) need their type and name, or their gauges collide.
        .setLabels(EnumSet.of(Label.POOL_TYPE, Label.POOL_NAME))
        // The only HTTP client is the runtime's, measured per CRI method and code by criCall;
        // Vert.x's own client meters cost about 5% of the gateway's CPU under load (profiled).
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        // The server's are HttpServerMeters (MetricsFactory): vertx-micrometer's built tags and
        // looked meters up on every request, about 4.5% of the CPU at 256 in flight (profiled).
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
        // Registries are looked up by name inside Vert.x: one name per registry.
        .setRegistryName("checkpoint-gateway-" + System.identityHashCode(registry));
    return Vertx.builder()
        .with(options.setMetricsOptions(metrics))
        .withMetrics(new MetricsFactory(registry));
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One CRI call, by method and the gRPC code it ended with (grpc-go spelling). */
  public void criCall(String method, String code, Duration took) {
    criCall(method, code, took.toNanos());
  }

  /** As above, in nanoseconds: a call's duration need not become an object. */
  public void criCall(String method, String code, long tookNanos) {
    boolean ok = "OK".equals(code);
    KeptTimer kept = lastOkCall;
    if (ok && kept != null && kept.label() == method) {
      kept.timer().record(tookNanos, TimeUnit.NANOSECONDS);
      return;
    }
    Map<String, Timer> byCode = criCalls.get(method);
    if (byCode == null) {
      byCode = criCalls.computeIfAbsent(method, key -> new ConcurrentHashMap<>());
    }
    Timer timer = byCode.get(code);
    if (timer == null) {
      timer = byCode.computeIfAbsent(code, key -> Timer.builder("cri.call.duration")
          .description("CRI call latency").tags("method", method, "code", code)
          .register(registry));
    }
    if (ok) {
      lastOkCall = new KeptTimer(method, timer);
    }
    timer.record(tookNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * One checkpoint call to the runtime ended, counted as the kubelet counts its CRI
   * {@code CheckpointContainer}: one operation per call that reached the runtime, an error when it
   * failed. A containerd {@code UNIMPLEMENTED} answered through the task API is one call.
   */
  public void runtimeCheckpoint(boolean failed, Duration took) {
    runtimeCheckpoint(failed, took.toNanos());
  }

  /** As above, in nanoseconds. */
  public void runtimeCheckpoint(boolean failed, long tookNanos) {
    runtimeOperations.increment();
    runtimeOperationDuration.record(tookNanos, TimeUnit.NANOSECONDS);
    if (failed) {
      runtimeOperationErrors.increment();
    }
  }

  /** One checkpoint request ended; {@code failure} is null on success. */
  public void checkpointEnded(Throwable failure, Duration took) {
    checkpointEnded(failure, took.toNanos());
  }

  /** As above, in nanoseconds. */
  public void checkpointEnded(Throwable failure, long tookNanos) {
    Timer succeeded = checkpointsSucceeded;
    if (failure == null && succeeded != null) {
      succeeded.record(tookNanos, TimeUnit.NANOSECONDS);
      return;
    }
    String outcome = outcome(failure);
    Timer timer = checkpoints.get(outcome);
    if (timer == null) {
      timer = checkpoints.computeIfAbsent(outcome, key -> Timer.builder("checkpoint.duration")
          .description("Checkpoint requests from arrival to answer, by outcome")
          .tag("outcome", outcome)
          .serviceLevelObjectives(CHECKPOINT_BUCKETS)
          .register(registry));
    }
    if (failure == null) {
      checkpointsSucceeded = timer;
    }
    timer.record(tookNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Time a checkpoint waited for admission. Namespaces come from the runtime (a checkpoint is
   * admitted only in a namespace where a container was found), but a cluster that makes
   * namespaces for every build would still grow the label without end: beyond
   * {@link #MAX_NAMESPACE_LABELS} namespaces the others count as {@code other}.
   */
  public void queueWait(String namespace, Duration waited) {
    Timer timer = queueWaits.get(namespace);
    if (timer == null) {
      String label = namespaces.contains(namespace)
          || namespaces.size() < MAX_NAMESPACE_LABELS && namespaces.add(namespace)
          ? namespace : "other";
      timer = queueWaits.computeIfAbsent(label, key -> Timer.builder("checkpoint.queue.wait")
          .description("Time waited for admission")
          .tag("namespace", label)
          .serviceLevelObjectives(QUEUE_WAIT_BUCKETS)
          .register(registry));
    }
    timer.record(waited.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Gives a new HTTP connection its connection metric if Vert.x left it without one. Vert.x
   * 5.0.7 sets a server's metrics only once its socket is bound and accepting, in a listener that
   * can run after the first connections were accepted (seen in a cold JVM with clients connecting
   * from the first instant); such a connection got no metric (with vertx-micrometer's, its first
   * request threw a NullPointerException and was never answered; with {@link HttpServerMeters}
   * it would not be counted among the active connections). Called from the server's connection
   * handler, before the connection reads its first request.
   */
  @SuppressWarnings("unchecked")
  public static void ensureConnectionMetric(HttpConnection connection) {
    if (connection instanceof ConnectionBase base && base.metric() == null
        && base.metrics() instanceof TCPMetrics<?> metrics) {
      base.metric(((TCPMetrics<Object>) metrics).connected(base.remoteAddress(),
          base.remoteName()));
    }
  }

  /** Gauges read on every scrape. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).strongReference(true).register(registry);
  }

  static String outcome(Throwable failure) {
    if (failure == null) {
      return "succeeded";
    } else if (failure instanceof CheckpointFailedException checkpoint
        && checkpoint.runtimeFailure() != null) {
      return switch (checkpoint.runtimeFailure().code()) {
        case "DeadlineExceeded" -> "deadline_exceeded";
        case "Canceled" -> "cancelled";
        default -> "runtime_failed";
      };
    } else if (failure instanceof OverloadedException) {
      return "rejected_queue_full";
    } else if (failure instanceof InsufficientStorageException) {
      return "rejected_no_space";
    } else if (failure instanceof UnavailableException) {
      return "rejected_stopping";
    }
    return "failed";
  }
}
