package org.checkpointgateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.checkpointgateway.error.CheckpointFailedException;
import org.checkpointgateway.error.InsufficientStorageException;
import org.checkpointgateway.error.OverloadedException;
import org.checkpointgateway.error.UnavailableException;

/**
 * The gateway's own metrics, on the same Micrometer registry as Vert.x's HTTP and JVM metrics.
 * Prometheus names: {@code checkpoint_duration_seconds{outcome}},
 * {@code checkpoint_queue_wait_seconds{namespace}}, {@code checkpoint_queue_depth},
 * {@code checkpoint_running}, {@code checkpoint_inflight_bytes},
 * {@code cri_call_duration_seconds{method,code}}.
 */
public final class GatewayMetrics {

  /** Methods that keep their name as a label; RFC 9110's, and PATCH. */
  static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
      "OPTIONS", "TRACE", "PATCH");
  static final int MAX_NAMESPACE_LABELS = 100;

  private final MeterRegistry registry;
  private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
  // Meters are kept, not looked up per call: the registry's lookup showed in profiles.
  private final java.util.Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

  private GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public static GatewayMetrics create(MeterRegistry registry) {
    return new GatewayMetrics(registry);
  }

  /** Metrics that go nowhere: for components used without a gateway (tests, tools). */
  public static GatewayMetrics none() {
    return new GatewayMetrics(new SimpleMeterRegistry());
  }

  /**
   * A Prometheus registry for a new gateway process. Vert.x labels a request with every route it
   * passed ({@code /api/v1/archives/*>/api/v1/archives/:name}); the last one is the template
   * that served it.
   */
  public static PrometheusMeterRegistry prometheusRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(MeterFilter.replaceTagValues(Label.HTTP_ROUTE.toString(),
        route -> route.substring(route.lastIndexOf('>') + 1)));
    return registry;
  }

  /**
   * The method label of a request: one of a fixed set, or {@code other}. Any token is a valid
   * method name, so a caller could otherwise make a new set of meters per request.
   */
  static String methodLabel(HttpMethod method) {
    String name = method.name();
    return METHODS.contains(name) ? name : "other";
  }

  /**
   * A Vertx whose own metrics (HTTP requests by route and status, pools, JVM) go to
   * {@code registry}.
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
        // The route label needs vertx-web's matched route; the path would explode cardinality.
        // Pools (the worker pools) need their type and name, or their gauges collide.
        // Not Label.HTTP_METHOD: the method comes from the tags provider, bounded.
        .setLabels(EnumSet.of(Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE,
            Label.POOL_NAME))
        .setServerRequestTagsProvider(request ->
            Tags.of(Label.HTTP_METHOD.toString(), methodLabel(request.method())))
        // The only HTTP client is the runtime's, measured per CRI method and code by criCall;
        // Vert.x's own client meters cost about 5% of the gateway's CPU under load (profiled).
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        // Registries are looked up by name inside Vert.x: one name per registry.
        .setRegistryName("checkpoint-gateway-" + System.identityHashCode(registry));
    return Vertx.builder()
        .with(options.setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry));
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One CRI call, by method and the gRPC code it ended with (grpc-go spelling). */
  public void criCall(String method, String code, Duration took) {
    timers.computeIfAbsent("cri\n" + method + "\n" + code, key ->
        Timer.builder("cri.call.duration").description("CRI call latency")
            .tags("method", method, "code", code)
            .register(registry)).record(took);
  }

  /** One checkpoint request ended; {@code failure} is null on success. */
  public void checkpointEnded(Throwable failure, Duration took) {
    String outcome = outcome(failure);
    timers.computeIfAbsent("checkpoint\n" + outcome, key -> Timer.builder("checkpoint.duration")
        .description("Checkpoint requests from arrival to answer, by outcome")
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(registry)).record(took);
  }

  /**
   * Time a checkpoint waited for admission. Namespaces come from the runtime (a checkpoint is
   * admitted only in a namespace where a container was found), but a cluster that makes
   * namespaces for every build would still grow the label without end: beyond
   * {@link #MAX_NAMESPACE_LABELS} namespaces the others count as {@code other}.
   */
  public void queueWait(String namespace, Duration waited) {
    String label = namespaces.contains(namespace)
        || namespaces.size() < MAX_NAMESPACE_LABELS && namespaces.add(namespace)
        ? namespace : "other";
    timers.computeIfAbsent("queue\n" + label, key ->
        Timer.builder("checkpoint.queue.wait").description("Time waited for admission")
            .tag("namespace", label)
            .publishPercentileHistogram()
            .register(registry)).record(waited);
  }

  /**
   * Gives a new HTTP connection its connection metric if Vert.x left it without one. Vert.x
   * 5.0.7 sets a server's metrics only once its socket is bound and accepting, in a listener that
   * can run after the first connections were accepted (seen in a cold JVM with clients connecting
   * from the first instant); such a connection got no metric, and its first request threw a
   * NullPointerException in the metrics' requestBegin and was never answered. Called from the
   * server's connection handler, before the connection reads its first request.
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
