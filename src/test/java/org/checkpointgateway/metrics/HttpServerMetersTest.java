package org.checkpointgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link HttpServerMeters} alone: what each callback of Vert.x's metrics SPI counts. */
class HttpServerMetersTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final HttpServerMeters meters = new HttpServerMeters(registry, GatewayMetrics.HTTP_BUCKETS);

  @Test
  void theLastNamedRouteIsTheLabelAndTheMetersAreBoundOnce() {
    for (int i = 0; i < 3; i++) {
      HttpServerMeters.Request request = meters.requestBegin(null, request(HttpMethod.GET));
      meters.requestRouted(request, "/api/v1/archives/*");
      meters.requestRouted(request, "/api/v1/archives/:name");
      // A route without a path (authentication, the failure handler) leaves the label.
      meters.requestRouted(request, null);
      meters.responseEnd(request, response(404), 0);
    }
    HttpServerMeters.Request unrouted = meters.requestBegin(null, request(HttpMethod.valueOf("BREW")));
    meters.responseEnd(unrouted, response(431), 0);

    assertThat(registry.get(HttpServerMeters.REQUESTS).tags("route", "/api/v1/archives/:name",
        "method", "GET", "code", "404").counter().count()).isEqualTo(3);
    assertThat(registry.get(HttpServerMeters.RESPONSE_TIME).tags("route",
        "/api/v1/archives/:name", "method", "GET", "code", "404").timer().count()).isEqualTo(3);
    assertThat(registry.get(HttpServerMeters.REQUESTS).tags("route", "", "method", "other",
        "code", "431").counter().count()).isEqualTo(1);
    assertThat(registry.find(HttpServerMeters.REQUESTS).counters()).hasSize(2);
  }

  @Test
  void routesAnsweredInTurnsAreEachCountedUnderTheirOwnLabel() {
    // The route last answered is kept; turns between routes, unrouted requests and an equal route
    // name in another string must each still land in their own series.
    String[] routes = {"/checkpoint/:namespace/:pod/:container", "/healthz", null,
        new String("/checkpoint/:namespace/:pod/:container")};
    for (int i = 0; i < 12; i++) {
      HttpServerMeters.Request request = meters.requestBegin(null, request(HttpMethod.POST));
      meters.requestRouted(request, routes[i % 4]);
      meters.responseEnd(request, response(200), 0);
    }
    assertThat(registry.get(HttpServerMeters.REQUESTS).tags("route",
        "/checkpoint/:namespace/:pod/:container").counter().count()).isEqualTo(6);
    assertThat(registry.get(HttpServerMeters.REQUESTS).tags("route", "/healthz").counter().count())
        .isEqualTo(3);
    assertThat(registry.get(HttpServerMeters.REQUESTS).tags("route", "").counter().count())
        .isEqualTo(3);
    assertThat(registry.find(HttpServerMeters.REQUESTS).counters()).hasSize(3);
  }

  @Test
  void theTimeRunsFromTheRequestsBeginningToTheEndOfItsAnswer() {
    long outerStart = System.nanoTime();
    HttpServerMeters.Request request = meters.requestBegin(null, request(HttpMethod.POST));
    long innerStart = System.nanoTime();
    meters.requestRouted(request, "/healthz");
    long innerTook = System.nanoTime() - innerStart;
    meters.responseEnd(request, response(200), 0);
    long outerTook = System.nanoTime() - outerStart;
    double recorded = registry.get(HttpServerMeters.RESPONSE_TIME).tags("route", "/healthz")
        .timer().totalTime(TimeUnit.NANOSECONDS);
    assertThat(recorded).isBetween((double) innerTook, (double) outerTook);
  }

  @Test
  void connectionsAreCountedOnlyWhenTheyWereCounted() {
    Object first = meters.connected(null, null);
    Object second = meters.connected(null, null);
    assertThat(gauge()).isEqualTo(2);
    meters.disconnected(first, null);
    // A connection Vert.x accepted before the server had its metrics has none (null).
    meters.disconnected(null, null);
    assertThat(gauge()).isEqualTo(1);
    meters.disconnected(second, null);
    assertThat(gauge()).isZero();
  }

  @Test
  void anUnknownHttpMethodIsLabelledOther() {
    assertThat(HttpServerMeters.methodLabel(HttpMethod.POST)).isEqualTo("POST");
    assertThat(HttpServerMeters.methodLabel(HttpMethod.PATCH)).isEqualTo("PATCH");
    assertThat(HttpServerMeters.methodLabel(HttpMethod.valueOf("BREW"))).isEqualTo("other");
    assertThat(HttpServerMeters.methodLabel(HttpMethod.valueOf("PROPFIND"))).isEqualTo("other");
  }

  @Test
  void everyStandardMethodIsLabelledByItsName() {
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
        HttpMethod.DELETE, HttpMethod.CONNECT, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.PATCH)) {
      assertThat(HttpServerMeters.methodLabel(method)).isEqualTo(method.name());
      assertThat(HttpServerMeters.methodLabel(HttpMethod.valueOf(method.name()))).isEqualTo(method.name());
      // Made from Netty's own method of that name, as a decoder would.
      assertThat(HttpServerMeters.methodLabel(HttpMethod.fromNetty(
          new io.netty.handler.codec.http.HttpMethod(method.name())))).isEqualTo(method.name());
    }
  }

  private double gauge() {
    return registry.get(HttpServerMeters.ACTIVE_CONNECTIONS).gauge().value();
  }

  private static HttpRequest request(HttpMethod method) {
    return (HttpRequest) Proxy.newProxyInstance(HttpRequest.class.getClassLoader(),
        new Class<?>[] {HttpRequest.class}, (proxy, called, args) -> {
          if (called.getName().equals("method")) {
            return method;
          }
          throw new UnsupportedOperationException(called.getName());
        });
  }

  private static HttpResponse response(int status) {
    return (HttpResponse) Proxy.newProxyInstance(HttpResponse.class.getClassLoader(),
        new Class<?>[] {HttpResponse.class}, (proxy, called, args) -> {
          if (called.getName().equals("statusCode")) {
            return status;
          }
          throw new UnsupportedOperationException(called.getName());
        });
  }
}
