package org.checkpointgateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * The HTTP server's request and connection metrics, under the names and labels vertx-micrometer
 * gave them: {@code vertx_http_server_requests_total{code,method,route}},
 * {@code vertx_http_server_response_time_seconds{code,method,route}} and
 * {@code vertx_http_server_active_connections}. vertx-micrometer built the tags and looked up four
 * meters (and registered an active-requests gauge) on every request, about 4.5% of the gateway's
 * CPU under load; here the meters of a (route, method, code) are bound once and found again
 * without building anything.
 *
 * <p>It is Vert.x's metrics SPI, one instance shared by every HTTP server of a Vertx: vertx-web
 * reports the routes a request matched only through {@link #requestRouted}, and the server calls
 * it for requests that never reach the router (a header too large, malformed HTTP) as before. The
 * route label is the last route with a name (its path template) that the request matched, or
 * {@code ""} when none did, as vertx-micrometer's label was after our filter kept its last part.
 */
final class HttpServerMeters implements HttpServerMetrics<HttpServerMeters.Request, Void, Object> {

  static final String REQUESTS = "vertx.http.server.requests";
  static final String RESPONSE_TIME = "vertx.http.server.response.time";
  static final String ACTIVE_CONNECTIONS = "vertx.http.server.active.connections";

  /**
   * Methods that keep their name as a label: RFC 9110's, and PATCH. Any token is a valid method,
   * so a caller could otherwise make a new set of meters per request; the rest are {@code other}.
   * Vert.x hands a request these as constants.
   */
  private static final HttpMethod[] KNOWN = {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
      HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.CONNECT, HttpMethod.OPTIONS, HttpMethod.TRACE,
      HttpMethod.PATCH};
  /** The method labels: the known methods' names in their order, then "other". */
  static final String[] METHODS = Stream.concat(Arrays.stream(KNOWN).map(HttpMethod::name),
      Stream.of("other")).toArray(String[]::new);
  private static final int OTHER = METHODS.length - 1;

  /** What a connection's metric is: only whether it was counted. */
  private static final Object COUNTED = new Object();

  private final MeterRegistry registry;
  private final Duration[] buckets;
  private final LongAdder connections = new LongAdder();
  private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final RouteMeters unrouted;
  // The route last answered, kept: under load one route answers most requests, and its map
  // lookup showed in profiles at 256 in flight. Compared by identity (Vert.x passes each route's
  // own path string).
  private volatile RouteMeters lastRouted;

  HttpServerMeters(MeterRegistry registry, Duration[] buckets) {
    this.registry = registry;
    this.buckets = buckets;
    this.unrouted = new RouteMeters("");
    Gauge.builder(ACTIVE_CONNECTIONS, connections, LongAdder::doubleValue)
        .description("Number of opened connections to the server")
        .register(registry);
  }

  /**
   * The index in {@link #METHODS} of a request's method label: by identity first (a switch on
   * the name, a string switch, showed in profiles per request), then by name for an equal
   * method made elsewhere.
   */
  static int method(HttpMethod method) {
    for (int i = 0; i < KNOWN.length; i++) {
      if (KNOWN[i] == method) {
        return i;
      }
    }
    for (int i = 0; i < KNOWN.length; i++) {
      if (METHODS[i].equals(method.name())) {
        return i;
      }
    }
    return OTHER;
  }

  static String methodLabel(HttpMethod method) {
    return METHODS[method(method)];
  }

  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    connections.increment();
    return COUNTED;
  }

  @Override
  public void disconnected(Object connection, SocketAddress remoteAddress) {
    // A connection accepted before the server had its metrics was never counted (see
    // GatewayMetrics.ensureConnectionMetric): its close must not count either.
    if (connection != null) {
      connections.decrement();
    }
  }

  @Override
  public Request requestBegin(Object connection, HttpRequest request) {
    return new Request(System.nanoTime(), method(request.method()));
  }

  @Override
  public void requestRouted(Request request, String route) {
    // Unnamed routes (route() without a path: authentication, failure handlers) leave it.
    if (request != null && route != null) {
      request.route = route;
    }
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
    if (request == null) {
      return; // a server push (responsePushed), which the gateway never makes
    }
    long took = System.nanoTime() - request.start;
    String route = request.route;
    RouteMeters meters = route == null ? unrouted : lastRouted;
    if (route != null && (meters == null || meters.route != route)) {
      meters = routes.get(route);
      if (meters == null) {
        meters = routes.computeIfAbsent(route, RouteMeters::new);
      }
      lastRouted = meters;
    }
    meters.bound(request.method, response.statusCode()).record(took);
  }

  /** One request: when it began, its method label, the last route it matched. */
  static final class Request {
    final long start;
    final int method;
    String route;

    Request(long start, int method) {
      this.start = start;
      this.method = method;
    }
  }

  /**
   * The meters of one route, by method and code. A route sees a handful of (method, code) pairs,
   * so a short array scanned in order finds them faster than a map, and builds no key.
   */
  private final class RouteMeters {
    private final String route;
    private volatile Bound[] bound = new Bound[0];

    RouteMeters(String route) {
      this.route = route;
    }

    Bound bound(int method, int code) {
      int key = method << 16 | code & 0xffff;
      for (Bound each : bound) {
        if (each.key == key) {
          return each;
        }
      }
      return bind(key, method, code);
    }

    private synchronized Bound bind(int key, int method, int code) {
      Bound[] now = bound;
      for (Bound each : now) {
        if (each.key == key) {
          return each;
        }
      }
      String status = Integer.toString(code);
      Bound added = new Bound(key,
          Counter.builder(REQUESTS).description("Number of processed requests")
              .tags("code", status, "method", METHODS[method], "route", route)
              .register(registry),
          Timer.builder(RESPONSE_TIME).description("Request processing time")
              .tags("code", status, "method", METHODS[method], "route", route)
              .serviceLevelObjectives(buckets)
              .register(registry));
      Bound[] next = java.util.Arrays.copyOf(now, now.length + 1);
      next[now.length] = added;
      bound = next;
      return added;
    }
  }

  /** The two meters of one (route, method, code). */
  private record Bound(int key, Counter requests, Timer responseTime) {
    void record(long nanos) {
      requests.increment();
      responseTime.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
