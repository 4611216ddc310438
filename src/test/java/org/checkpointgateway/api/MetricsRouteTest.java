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

  @Test
  void kubeletRuntimeOperationsCountEveryCheckpointThatReachedTheRuntimeAndNothingElse() {
    fixture.startGateway(fixture.settings()
        .override("metricsUnauthenticated", "true", "--metrics-unauthenticated"));
    String ops = "kubelet_runtime_operations_total{operation_type=\"checkpoint_container\"}";
    String errors = "kubelet_runtime_operations_errors_total{operation_type=\"checkpoint_container\"}";
    String took = "kubelet_runtime_operations_duration_seconds_count{operation_type=\"checkpoint_container\"}";
    String before = fixture.send(HttpMethod.GET, "/metrics", null).body();
    // Bound from the start, as the node e2e test reads them before its checkpoint.
    assertThat(before).contains(ops + " 0.0", errors + " 0.0");
    assertThat(before).contains("kubelet_runtime_operations_duration_seconds_bucket{"
        + "operation_type=\"checkpoint_container\",le=\"0.005\"}");

    String token = fixture.adminToken();
    assertThat(fixture.post("/checkpoint/default/demo/app", token).status()).isEqualTo(200);
    String afterOne = fixture.send(HttpMethod.GET, "/metrics", null).body();
    assertThat(value(afterOne, ops)).isEqualTo(1);
    assertThat(value(afterOne, errors)).isZero();
    assertThat(value(afterOne, took)).isEqualTo(1);

    // Refused before the runtime: nothing.
    fixture.post("/checkpoint/default/nope/app", token);
    fixture.post("/checkpoint/default/demo/nope", token);
    fixture.post("/checkpoint/default/demo/done", token);
    fixture.post("/checkpoint/default/demo/app?timeout=abc", token);
    fixture.post("/checkpoint/default/demo/app", null);
    String refused = fixture.send(HttpMethod.GET, "/metrics", null).body();
    assertThat(value(refused, ops)).isEqualTo(1);
    assertThat(value(refused, errors)).isZero();

    // A runtime failure and a deadline: operations and errors both.
    assertThat(fixture.post("/checkpoint/default/demo/broken", token).status()).isEqualTo(500);
    assertThat(fixture.post("/checkpoint/default/demo/slow?timeout=1", token).status()).isEqualTo(500);
    String failed = fixture.send(HttpMethod.GET, "/metrics", null).body();
    assertThat(value(failed, ops)).isEqualTo(3);
    assertThat(value(failed, errors)).isEqualTo(2);
    assertThat(value(failed, took)).isEqualTo(3);
  }

  /** The value of one sample line, or 0 when the series does not exist yet. */
  static double value(String scrape, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
        .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
