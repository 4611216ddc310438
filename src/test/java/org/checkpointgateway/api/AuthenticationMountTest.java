package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.RawHttp;
import org.junit.jupiter.api.Test;

/**
 * Authentication is mounted once, in front of every route but the open list: walking the real
 * router, every other route answers 401 without credentials; and no body is read for a caller
 * that is not yet known.
 */
class AuthenticationMountTest extends GatewayTestBase {

  @Test
  void everyRouteButTheOpenOnesAnswers401WithoutCredentials() {
    fixture.startGateway();
    List<String> checked = new ArrayList<>();
    for (Route route : fixture.gateway.routes()) {
      String path = route.getPath();
      // Routes without a path are the connection and HTTP checks and authentication itself.
      if (path == null) {
        continue;
      }
      String uri = path.replaceAll(":[A-Za-z]+", "x");
      Set<HttpMethod> methods = route.methods() == null || route.methods().isEmpty()
          ? Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE) : route.methods();
      for (HttpMethod method : methods) {
        HttpAnswer answer = Await.result(fixture.request(method, uri, null));
        // The open list; /metrics is on it only with --metrics-unauthenticated (not here).
        if (GatewayVerticle.OPEN_PATHS.contains(path) && !path.equals(MetricsRoutes.PATH)) {
          assertThat(answer.status()).as(method + " " + uri).isNotEqualTo(401);
        } else {
          assertThat(answer.status()).as(method + " " + uri).isEqualTo(401);
          checked.add(method + " " + path);
        }
      }
    }
    // The walk saw the protected routes, /metrics (not open by default) among them.
    assertThat(checked).contains("POST /checkpoint/:namespace/:pod/:container",
        "POST /api/v1/checkpoints", "GET /api/v1/archives/:name", "GET /metrics");
    assertThat(checked.size()).isGreaterThan(15);
    assertThat(GatewayVerticle.OPEN_PATHS).containsExactly("/healthz", "/readyz", "/metrics");
  }

  @Test
  void metricsIsOpenOnlyWhenSaidSo() {
    fixture.startGateway(fixture.settings()
        .override("metricsUnauthenticated", "true", "--metrics-unauthenticated"));
    assertThat(Await.result(fixture.request(HttpMethod.GET, "/metrics", null)).status())
        .isEqualTo(200);
    assertThat(Await.result(fixture.request(HttpMethod.GET, "/api/v1/archives", null)).status())
        .isEqualTo(401);
  }

  @Test
  void aBodyIsNotReadBeforeTheCallerIsKnown() {
    fixture.startGateway();
    // A job request announced at 8 KiB, under the route's body limit, of which only a start is
    // sent: a body handler in front of authentication would wait for the rest.
    try (RawHttp http = RawHttp.connect(fixture.gateway.port())) {
      RawHttp.Response answer = http.send("POST /api/v1/checkpoints HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: 8192\r\n\r\n{\"namespace\":")
          .read();
      assertThat(answer.status()).isEqualTo(401);
    }
    // The same with a chunked body that never ends.
    try (RawHttp http = RawHttp.connect(fixture.gateway.port())) {
      RawHttp.Response answer = http.send("POST /api/v1/checkpoints HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "d\r\n{\"namespace\":\r\n").read();
      assertThat(answer.status()).isEqualTo(401);
    }
  }
}
