package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpMethod;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.RawHttp;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.Test;

/**
 * No label of the HTTP request metrics takes a value a caller chooses: thousands of made-up
 * methods and paths leave the number of meters, and the size of {@code /metrics}, as they were.
 */
class MetricLabelsTest extends GatewayTestBase {

  private static final int BATCH = 100;
  private static String authorization = "";

  @Test
  void madeUpMethodsAndPathsMakeNoNewMeters() {
    fixture.startGateway(fixture.settings()
        .override("metricsUnauthenticated", "true", "--metrics-unauthenticated"));
    // Authentication comes before routing: the archive and checkpoint requests carry a token
    // (granting nothing) so that they reach their routes, whose templates are labels.
    authorization = "Authorization: Bearer " + fixture.token("nobody") + "\r\n";
    PrometheusMeterRegistry registry = StrictVertx.registry(vertx);
    int port = fixture.gateway.port();
    // One round of each kind: the meters these answers need exist before counting.
    sendEach(port, 2 * BATCH, MetricLabelsTest::attack);
    fixture.send(HttpMethod.GET, "/metrics", null);
    // The server counts an answer once it is written, which may be after the client read it.
    Await.until("the first scrape to be counted", () -> registry.find("vertx.http.server.requests")
        .tag("route", "/metrics").counter() != null);
    long meters = httpMeters(registry);
    int scrapeBytes = fixture.send(HttpMethod.GET, "/metrics", null).body().length();

    sendEach(port, 40 * BATCH, i -> attack(i + 2 * BATCH));

    // The HTTP meters: the JVM's may come and go on their own (a new kind of GC pause).
    assertThat(httpMeters(registry)).as("HTTP meters after 4000 made-up requests")
        .isEqualTo(meters);
    String scrape = fixture.send(HttpMethod.GET, "/metrics", null).body();
    // Counts grow by a few digits; a label per request would add a few KB per request.
    assertThat(scrape.length()).isLessThan(scrapeBytes + 2_000);
    assertThat(labels(registry, "method")).isSubsetOf("GET", "HEAD", "POST", "PUT", "DELETE",
        "CONNECT", "OPTIONS", "TRACE", "PATCH", "other").contains("other", "GET", "POST");
    assertThat(labels(registry, "route")).containsExactlyInAnyOrder("", "/healthz", "/metrics",
        "/api/v1/archives/:name", "/checkpoint/:namespace/:pod/:container");
  }

  @Test
  void everyRouteIsLabelledWithItsTemplate() {
    fixture.startGateway();
    PrometheusMeterRegistry registry = StrictVertx.registry(vertx);
    String token = fixture.token("operator", "*");
    fixture.send(HttpMethod.GET, "/healthz", null);
    fixture.send(HttpMethod.GET, "/readyz", null);
    fixture.send(HttpMethod.GET, "/metrics", token);
    String archive = new io.vertx.core.json.JsonObject(
        fixture.post("/checkpoint/default/demo/app", token).body()).getJsonArray("items").getString(0);
    String name = "/api/v1/archives/" + java.nio.file.Path.of(archive).getFileName();
    assertThat(fixture.post("/checkpoint/team-a/web", token).status()).isEqualTo(200);
    fixture.send(HttpMethod.GET, "/api/v1/archives", token);
    fixture.send(HttpMethod.HEAD, name, token);
    fixture.send(HttpMethod.GET, name + "/inspect", token);
    fixture.send(HttpMethod.PUT, name + "/pin", token);
    fixture.send(HttpMethod.DELETE, name + "/pin", token);
    fixture.send(HttpMethod.GET, name, token);
    fixture.send(HttpMethod.DELETE, name, token);
    String job = new io.vertx.core.json.JsonObject(Await.result(fixture.requestJson(HttpMethod.POST,
        "/api/v1/checkpoints", token, "{\"namespace\":\"team-a\",\"pod\":\"web\"}",
        java.util.Map.of())).body()).getString("id");
    fixture.send(HttpMethod.GET, "/api/v1/checkpoints", token);
    fixture.send(HttpMethod.GET, "/api/v1/checkpoints/" + job + "/events", token);
    fixture.send(HttpMethod.GET, "/api/v1/checkpoints/" + job, token);
    fixture.send(HttpMethod.DELETE, "/api/v1/checkpoints/" + job, token);

    // Before, an archive route read "/api/v1/archives>/api/v1/archives/>/api/v1/archives".
    Set<String> templates = Set.of("/healthz", "/readyz", "/metrics",
        "/checkpoint/:namespace/:pod/:container", "/checkpoint/:namespace/:pod",
        "/api/v1/archives", "/api/v1/archives/:name", "/api/v1/archives/:name/inspect",
        "/api/v1/archives/:name/pin", "/api/v1/checkpoints", "/api/v1/checkpoints/:id",
        "/api/v1/checkpoints/:id/events");
    // The server counts an answer once it is written, which may be after the client read it.
    // "" is the test's runtime, whose gRPC server shares this Vertx (the embedded simulator
    // does not: FirstRunTest).
    Await.until("every request to be counted", () -> routes(registry).equals(templates));
  }

  private static Set<String> routes(PrometheusMeterRegistry registry) {
    Set<String> routes = labels(registry, "route");
    routes.remove("");
    return routes;
  }

  /** Request {@code i}: a made-up method, an unknown path, an archive or a checkpoint by name. */
  private static String attack(int i) {
    return switch (i % 4) {
      case 0 -> "M" + i + " /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
      case 1 -> "GET /no/such/path/" + i + " HTTP/1.1\r\nHost: x\r\n\r\n";
      case 2 -> "GET /api/v1/archives/archive-" + i + ".tar HTTP/1.1\r\nHost: x\r\n"
          + authorization + "\r\n";
      default -> "POST /checkpoint/ns-" + i + "/pod/c HTTP/1.1\r\nHost: x\r\n"
          + authorization + "\r\n";
    };
  }

  /** Sends {@code count} requests, pipelined {@link #BATCH} to a connection, all answered. */
  private static void sendEach(int port, int count, IntFunction<String> request) {
    for (int first = 0; first < count; first += BATCH) {
      StringBuilder batch = new StringBuilder();
      for (int i = first; i < first + BATCH; i++) {
        batch.append(request.apply(i));
      }
      batch.append("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      String answers = RawHttp.exchange(port, batch.toString());
      assertThat(count(answers, "HTTP/1.1 ")).isEqualTo(BATCH + 1);
    }
  }

  private static int count(String text, String part) {
    Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static long httpMeters(PrometheusMeterRegistry registry) {
    return registry.getMeters().stream()
        .filter(meter -> meter.getId().getName().startsWith("vertx.http.server")).count();
  }

  private static Set<String> labels(PrometheusMeterRegistry registry, String tag) {
    Set<String> values = new TreeSet<>();
    for (Meter meter : registry.getMeters()) {
      if (meter.getId().getName().startsWith("vertx.http.server")
          && meter.getId().getTag(tag) != null) {
        values.add(meter.getId().getTag(tag));
      }
    }
    return values;
  }
}
