package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.checkpointgateway.api.MetricsRouteTest.value;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP server's series ({@code vertx_http_server_*}) as docs/api.md and the Grafana dashboard
 * name them: the same names, labels and buckets as when vertx-micrometer recorded them, every
 * answer counted under its route template, method and status, whether or not it reached a route,
 * and the open connections. Everything through real sockets, scraped as Prometheus scrapes.
 */
class HttpServerMetricsTest extends GatewayTestBase {

  private static final Pattern SAMPLE = Pattern.compile(
      "(?m)^(vertx_http_server_[a-z_]+)(?:\\{([^}]*)})? (\\S+)$");
  private static final Pattern ANY_SAMPLE = Pattern.compile("(?m)^[a-zA-Z_:][^{ ]*\\{([^}]*)}");
  private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");
  private static final String REQUESTS = "vertx_http_server_requests_total";
  private static final String CHECKPOINT = "/checkpoint/:namespace/:pod/:container";

  private int port;
  private String authorization;

  @BeforeEach
  void startGateway() {
    fixture.startGateway(fixture.settings()
        .override("metricsUnauthenticated", "true", "--metrics-unauthenticated"));
    port = fixture.gateway.port();
    authorization = "Authorization: Bearer " + fixture.adminToken() + "\r\n";
  }

  /** What a scrape of vertx-micrometer's showed before (the documented part of it). */
  @Test
  void theDocumentedSeriesKeepTheirNamesLabelsAndBuckets() {
    answer("POST /checkpoint/default/demo/app HTTP/1.1\r\nHost: x\r\n" + authorization
        + "Connection: close\r\n\r\n");
    String scrape = scrape();

    Map<String, Set<String>> labels = new TreeMap<>();
    Set<String> buckets = new TreeSet<>();
    Matcher sample = SAMPLE.matcher(scrape);
    while (sample.find()) {
      Map<String, String> values = labels(sample.group(2));
      labels.put(sample.group(1), values.keySet());
      if (sample.group(1).equals("vertx_http_server_response_time_seconds_bucket")) {
        buckets.add(values.get("le"));
      }
    }
    Set<String> byAnswer = Set.of("code", "method", "route");
    assertThat(labels).as(scrape)
        .containsEntry("vertx_http_server_active_connections", Set.of())
        .containsEntry(REQUESTS, byAnswer)
        .containsEntry("vertx_http_server_response_time_seconds_bucket",
            Set.of("code", "method", "route", "le"))
        .containsEntry("vertx_http_server_response_time_seconds_count", byAnswer)
        .containsEntry("vertx_http_server_response_time_seconds_sum", byAnswer)
        .containsEntry("vertx_http_server_response_time_seconds_max", byAnswer);
    // docs/api.md: 0.005, 0.025, 0.1, 0.5, 2.5, 10 s and +Inf.
    assertThat(buckets).containsExactlyInAnyOrder("0.005", "0.025", "0.1", "0.5", "2.5", "10.0",
        "+Inf");
    assertThat(scrape).contains(
        "# TYPE vertx_http_server_requests_total counter\n",
        "# HELP vertx_http_server_requests_total Number of processed requests\n",
        "# TYPE vertx_http_server_response_time_seconds histogram\n",
        "# HELP vertx_http_server_response_time_seconds Request processing time\n",
        "# TYPE vertx_http_server_active_connections gauge\n",
        "# HELP vertx_http_server_active_connections Number of opened connections to the server\n");
    String series = "{code=\"200\",method=\"POST\",route=\"" + CHECKPOINT + "\"";
    assertThat(value(scrape, REQUESTS + series + "}")).isEqualTo(1);
    assertThat(value(scrape, "vertx_http_server_response_time_seconds_bucket" + series
        + ",le=\"+Inf\"}")).isEqualTo(1);
  }

  /**
   * Labels as vertx-micrometer gave them: the last route template the request matched, even when
   * a failure handler answered; {@code ""} when it matched none, or never reached the router.
   */
  @Test
  void everyAnswerIsCountedByRouteTemplateMethodAndCode() {
    String before = scrape();
    assertThat(answer("POST /checkpoint/default/demo/app HTTP/1.1\r\nHost: x\r\n" + authorization
        + "Connection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
    assertThat(answer("POST /checkpoint/default/demo/broken HTTP/1.1\r\nHost: x\r\n"
        + authorization + "Connection: close\r\n\r\n")).startsWith("HTTP/1.1 500 ");
    assertThat(answer("GET /api/v1/archives/no-such-archive.tar HTTP/1.1\r\nHost: x\r\n"
        + authorization + "Connection: close\r\n\r\n")).startsWith("HTTP/1.1 404 ");
    assertThat(answer("GET /no/such/path/1234 HTTP/1.1\r\nHost: x\r\n" + authorization
        + "Connection: close\r\n\r\n")).startsWith("HTTP/1.1 404 ");
    assertThat(answer("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200 ");
    assertThat(answer("BREW /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 401 ");
    assertThat(answer("POST /checkpoint/default/demo/app HTTP/1.1\r\nHost: x\r\n"
        + "Connection: close\r\n\r\n")).startsWith("HTTP/1.1 401 ");
    // Refused by the server before any route: a header too large, a path that is no path.
    assertThat(answer("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
        + "\r\n\r\n")).startsWith("HTTP/1.1 431 ");
    assertThat(answer("GET /healthz%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 400 ");

    Map<String, Integer> expected = Map.of(
        "{code=\"200\",method=\"POST\",route=\"" + CHECKPOINT + "\"}", 1,
        "{code=\"500\",method=\"POST\",route=\"" + CHECKPOINT + "\"}", 1,
        "{code=\"404\",method=\"GET\",route=\"/api/v1/archives/:name\"}", 1,
        "{code=\"404\",method=\"GET\",route=\"\"}", 1,
        "{code=\"200\",method=\"GET\",route=\"/healthz\"}", 1,
        "{code=\"401\",method=\"other\",route=\"\"}", 1,
        "{code=\"401\",method=\"POST\",route=\"\"}", 1,
        "{code=\"431\",method=\"GET\",route=\"\"}", 1,
        "{code=\"400\",method=\"GET\",route=\"\"}", 1);
    // The answers are counted once written, which may be after the client read them.
    Await.until("every answer to be counted", () -> {
      String after = scrape();
      return expected.entrySet().stream().allMatch(entry ->
          value(after, REQUESTS + entry.getKey()) - value(before, REQUESTS + entry.getKey())
              == entry.getValue());
    });
    String after = scrape();
    expected.forEach((series, count) -> assertThat(
        value(after, REQUESTS + series) - value(before, REQUESTS + series)).as(series)
        .isEqualTo(count.doubleValue()));
    // Nothing a caller wrote became a label (label values only: a sample's value may hold
    // any digits, such as a duration sum of 0.0123419).
    Set<String> labelValues = new TreeSet<>();
    Matcher anySample = ANY_SAMPLE.matcher(after);
    while (anySample.find()) {
      labelValues.addAll(labels(anySample.group(1)).values());
    }
    assertThat(labelValues).isNotEmpty().noneMatch(value -> Stream.of(
        "1234", "no-such-archive", "BREW", "%zz", "default/demo", "broken")
        .anyMatch(value::contains));
  }

  @Test
  void openConnectionsAreCountedUpAndDown() {
    double before = connections();
    List<RawHttp> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RawHttp connection = RawHttp.connect(port);
        open.add(connection);
        // Answered: the server has accepted and counted it.
        assertThat(connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").read().status())
            .isEqualTo(200);
      }
      assertThat(connections()).isEqualTo(before + 3);
    } finally {
      open.forEach(RawHttp::close);
    }
    Await.until("the closed connections to be uncounted", () -> connections() == before);
  }

  /** The gauge, read through a connection of its own (counted in it, as in {@code before}). */
  private double connections() {
    return value(scrape(), "vertx_http_server_active_connections");
  }

  private String scrape() {
    String answer = answer("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 200 ");
    return answer.substring(answer.indexOf("\r\n\r\n") + 4);
  }

  private String answer(String request) {
    return RawHttp.exchange(port, request);
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new TreeMap<>();
    if (text != null) {
      Matcher label = LABEL.matcher(text);
      while (label.find()) {
        labels.put(label.group(1), label.group(2));
      }
    }
    return labels;
  }
}
