package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.checkpointgateway.api.CheckpointRouteTest.assertPlain;

import io.vertx.core.http.HttpMethod;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: Prometheus text, guarded by {@code metrics:read}, and moving. */
class MetricsRouteTest extends GatewayTestBase {




  @Test
  void metricsNeedTheirPermission() {
    fixture.startGateway();
    assertPlain(fixture.send(HttpMethod.GET, "/metrics", null), 401, "Unauthorized");
    assertPlain(fixture.send(HttpMethod.GET, "/metrics", fixture.adminToken()), 403,
        "Forbidden (user=admin, verb=get, resource=nodes, subresource(s)=[metrics])");
    HttpAnswer scrape = fixture.send(HttpMethod.GET, "/metrics", fixture.token("prometheus", "metrics:read"));
    assertThat(scrape.status()).isEqualTo(200);
    assertThat(scrape.header("Content-Type")).startsWith("text/plain; version=0.0.4");
  }

  @Test
  void metricsMoveWithCheckpointsAndCoverRuntimeQueueHttpAndJvm() {
    fixture.startGateway(fixture.settings()
        .override("metricsUnauthenticated", "true", "--metrics-unauthenticated"));
    String before = fixture.send(HttpMethod.GET, "/metrics", null).body();
    assertThat(fixture.post("/checkpoint/default/demo/app", fixture.adminToken()).status()).isEqualTo(200);
    assertThat(fixture.post("/checkpoint/default/demo/broken", fixture.adminToken()).status()).isEqualTo(500);
    String after = fixture.send(HttpMethod.GET, "/metrics", null).body();

    assertThat(value(after, "checkpoint_duration_seconds_count{outcome=\"succeeded\"}"))
        .isEqualTo(value(before, "checkpoint_duration_seconds_count{outcome=\"succeeded\"}") + 1);
    assertThat(value(after, "checkpoint_duration_seconds_count{outcome=\"runtime_failed\"}")).isEqualTo(1);
    assertThat(value(after, "cri_call_duration_seconds_count{code=\"OK\",method=\"CheckpointContainer\"}"))
        .isEqualTo(1);
    assertThat(value(after, "cri_call_duration_seconds_count{code=\"Unknown\",method=\"CheckpointContainer\"}"))
        .isEqualTo(1);
    assertThat(value(after, "checkpoint_queue_wait_seconds_count{namespace=\"default\"}")).isEqualTo(2);
    assertThat(after).contains("archive_retention_removed ", "archive_retention_runs ");
    assertThat(after).contains("checkpoint_queue_depth ", "checkpoint_running ",
        "checkpoint_inflight_bytes ", "jvm_memory_used_bytes");
    assertThat(value(after, "vertx_http_server_requests_total{code=\"200\",method=\"POST\","
        + "route=\"/checkpoint/:namespace/:pod/:container\"}")).isEqualTo(1);
    assertThat(value(after, "vertx_http_server_requests_total{code=\"500\",method=\"POST\","
        + "route=\"/checkpoint/:namespace/:pod/:container\"}")).isEqualTo(1);
  }

  /** The value of one sample line, or 0 when the series does not exist yet. */
  static double value(String scrape, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
        .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
