package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.support.MainProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The default run as a newcomer makes it ({@code java ... Main --port 0}, the embedded
 * simulator), in a process of its own: one checkpoint and one scrape of {@code /metrics}, then
 * SIGTERM. What it prints, what its metrics hold and what it leaves behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirstRunTest {

  private static final Pattern SERIES = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? ");
  private static final Pattern METRIC_NAME = Pattern.compile(
      "\\b(?:runtime|checkpoint|cri|vertx|archive|audit|event|jvm)_[a-z0-9_]+\\b");

  private MainProcess gateway;
  private String url;
  private String token;
  private String scrape;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void startCheckpointAndScrape(@TempDir Path dir) throws Exception {
    gateway = MainProcess.gateway(dir, "--port", "0");
    url = gateway.url();
    token = gateway.devToken();
    HttpResponse<String> checkpoint = send(HttpRequest.newBuilder(URI.create(url
        + "/checkpoint/default/demo/app")).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(checkpoint.statusCode()).as(checkpoint.body()).isEqualTo(200);
    scrape = send(HttpRequest.newBuilder(URI.create(url + "/metrics"))).body();
  }

  @AfterAll
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void theBannerShowsHowToGiveItsTokenToTheCli() {
    assertThat(gateway.output()).contains(
        "  export CHECKPOINT_GATEWAY_TOKEN=" + token + "\n",
        "  java -jar target/checkpoint-gateway.jar checkpoint default/demo/app --server " + url + "\n");
  }

  @Test
  void theEmbeddedSimulatorsCallsAreNotTheGatewaysRequests() {
    // Before, every CRI call of the embedded simulator counted as a POST with route="".
    List<String> requests = scrape.lines()
        .filter(line -> line.startsWith("vertx_http_server_requests_total{")).toList();
    assertThat(requests).as(scrape).noneMatch(line -> line.contains("route=\"\""));
    assertThat(requests).as(scrape).containsExactly("vertx_http_server_requests_total{code=\"200\","
        + "method=\"POST\",route=\"/checkpoint/:namespace/:pod/:container\"} 1.0");
  }

  @Test
  void everyHistogramHasAHandfulOfBuckets() {
    Map<String, Integer> buckets = new HashMap<>();
    Matcher series = SERIES.matcher(scrape);
    while (series.find()) {
      if (series.group(1).endsWith("_bucket")) {
        String labels = series.group(2).replaceAll(",?le=\"[^\"]*\"", "");
        buckets.merge(series.group(1) + labels, 1, Integer::sum);
      }
    }
    // Micrometer's percentile histograms had 69 buckets a series.
    assertThat(buckets).as(scrape).containsKeys(
        "checkpoint_duration_seconds_bucket{outcome=\"succeeded\"}",
        "checkpoint_queue_wait_seconds_bucket{namespace=\"default\"}");
    assertThat(buckets.keySet()).anyMatch(key -> key.startsWith("vertx_http_server_response_time"));
    // The kubelet's runtime-operation series keep the kubelet's own buckets (14, plus +Inf), so
    // that dashboards made for the kubelet read them alike; the gateway's own have a handful.
    buckets.forEach((key, count) -> assertThat(count).as(key)
        .isLessThanOrEqualTo(key.startsWith("kubelet_runtime_operations_duration_seconds_bucket") ? 15 : 10));
    assertThat(scrape.lines().count()).as("lines of /metrics after one checkpoint").isLessThan(400);
  }

  @Test
  void theDashboardAndAlertsUseOnlyMetricsTheGatewayHas() throws IOException {
    Set<String> served = new TreeSet<>();
    Matcher series = SERIES.matcher(scrape);
    while (series.find()) {
      served.add(series.group(1));
    }
    List<String> expressions = new ArrayList<>();
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("conf/grafana-dashboard.json")));
    for (Object panel : dashboard.getJsonArray("panels")) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets", new JsonArray())) {
        expressions.add(((JsonObject) target).getString("expr"));
      }
    }
    dashboard.getJsonObject("templating").getJsonArray("list")
        .forEach(variable -> expressions.add(((JsonObject) variable).getString("query")));
    Map<String, Object> alerts = new Yaml().load(Files.readString(Path.of("conf/prometheus-alerts.yaml")));
    List<String> alertNames = new ArrayList<>();
    for (Object group : (List<?>) alerts.get("groups")) {
      for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
        expressions.add((String) ((Map<?, ?>) rule).get("expr"));
        alertNames.add((String) ((Map<?, ?>) rule).get("alert"));
      }
    }
    assertThat(alertNames).containsExactly("CheckpointGatewayRuntimeNotReady",
        "CheckpointGatewayQueueFull", "CheckpointGatewayDiskReserveReached",
        "CheckpointGatewayCheckpointErrors");

    Set<String> used = new TreeSet<>();
    for (String expression : expressions) {
      // Label values ("runtime_failed") are not metric names.
      Matcher name = METRIC_NAME.matcher(expression.replaceAll("\"[^\"]*\"", "\"\""));
      while (name.find()) {
        used.add(name.group());
      }
    }
    assertThat(used).contains("runtime_ready", "checkpoint_duration_seconds_count",
        "checkpoint_queue_depth", "vertx_http_server_requests_total");
    assertThat(served).as("metrics on a live gateway's /metrics").containsAll(used);
    // The outcomes the alerts match on are the ones the gateway writes.
    assertThat(Files.readString(Path.of("conf/prometheus-alerts.yaml")))
        .contains("rejected_queue_full", "rejected_no_space", "runtime_failed", "deadline_exceeded");
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void aCleanRunWarnsNothingAndSaysWhenItStopsAndStopped() {
    int code = gateway.terminate();
    String output = gateway.output();
    assertThat(code).as(output).isEqualTo(143); // 128 + SIGTERM, after the stop hook ran
    assertThat(output.lines()).as(output)
        .noneMatch(line -> line.contains(" WARNING ") || line.contains(" SEVERE "));
    List<String> stopLines = output.lines()
        .filter(line -> line.contains(" org.checkpointgateway.Main: stop")).toList();
    assertThat(stopLines).as(output).hasSize(2);
    assertThat(stopLines.get(0)).endsWith("INFO org.checkpointgateway.Main: stopping: new "
        + "checkpoints are refused, running ones get up to 30s to finish");
    assertThat(stopLines.get(1)).endsWith("INFO org.checkpointgateway.Main: stopped");
    // The simulator's private directory and socket are gone; only the default checkpoint
    // directory's parent stays.
    assertThat(gateway.temporaryFiles()).containsExactly("checkpoint-gateway");
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
