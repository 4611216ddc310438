package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.checkpointgateway.api.CheckpointRouteTest.assertPlain;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import org.checkpointgateway.config.Settings;
import org.checkpointgateway.sim.CheckpointObservation;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.junit.jupiter.api.Test;

/** Admission control seen from outside: through HTTP, against the simulated runtime's socket. */
class AdmissionRouteTest extends GatewayTestBase {

  static final long GIB = 1L << 30;




  Settings limits(int concurrent, String bytes, int queued) {
    return fixture.settings()
        .override("maxConcurrent", Integer.toString(concurrent), "--max-concurrent")
        .override("maxInflightBytes", bytes, "--max-inflight-bytes")
        .override("maxQueued", Integer.toString(queued), "--max-queued")
        .override("shutdownGrace", "0", "--shutdown-grace");
  }

  @Test
  void aBurstOfHundredsNeverExceedsTheConcurrencyOrTheByteBudget() {
    // 2 GiB and 1 MiB containers under a 5 GiB budget and 3 at a time: at most two heavy ones
    // fit together, three light ones may run.
    fixture.startGateway(limits(3, "5Gi", 1000));
    String token = fixture.adminToken();
    List<Future<HttpAnswer>> answers = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      answers.add(fixture.request(HttpMethod.POST,
          "/checkpoint/default/timed/" + (i % 2 == 0 ? "quick" : "light"), token));
    }
    for (Future<HttpAnswer> answer : answers) {
      assertThat(Await.result(answer).status()).isEqualTo(200);
    }
    assertThat(fixture.runtime.checkpointsCompleted()).isEqualTo(300);
    assertThat(fixture.runtime.maxActiveCheckpoints()).isBetween(2, 3);
    assertThat(fixture.runtime.maxActiveBytes()).isLessThanOrEqualTo(5 * GIB)
        .isGreaterThanOrEqualTo(4 * GIB);
    assertThat(fixture.archives()).hasSize(300);
  }

  @Test
  void twoNamespacesInterleaveAfterOneSentABurst() {
    fixture.startGateway(limits(1, "100Gi", 1000));
    String token = fixture.adminToken();
    // The blocker holds the only slot until its deadline, while the others line up.
    Future<HttpAnswer> blocker = fixture.request(HttpMethod.POST,
        "/checkpoint/default/timed/blocker?timeout=4", token);
    Await.until("the blocker to run", () -> fixture.runtime.activeCheckpoints() == 1);
    List<Future<HttpAnswer>> answers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      answers.add(fixture.request(HttpMethod.POST, "/checkpoint/default/timed/light", token));
    }
    Await.until("default's burst to queue", () -> fixture.metric("checkpoint.queue.depth") == 5);
    for (int i = 0; i < 2; i++) {
      answers.add(fixture.request(HttpMethod.POST, "/checkpoint/team-a/timed/quick", token));
    }
    Await.until("team-a to queue", () -> fixture.metric("checkpoint.queue.depth") == 7);

    assertThat(Await.result(blocker).status()).isEqualTo(500);
    answers.forEach(answer -> assertThat(Await.result(answer).status()).isEqualTo(200));
    // With one at a time, the runtime finishes them in the order they were admitted (it records
    // a call once it has answered it: the last answer may arrive first).
    Await.until("the runtime to record every call", () -> fixture.runtime.observations().size() == 8);
    List<String> order = fixture.runtime.observations().stream()
        .map(CheckpointObservation::location)
        .map(location -> location.contains("_team-a-") ? "t" : "d")
        .toList();
    assertThat(String.join("", order)).isEqualTo("d" + "dtdtddd");
  }

  @Test
  void fullQueueIs429WithRetryAfter() {
    fixture.startGateway(limits(1, "100Gi", 2));
    String token = fixture.adminToken();
    fixture.request(HttpMethod.POST, "/checkpoint/default/timed/blocker", token);
    Await.until("the blocker to run", () -> fixture.runtime.activeCheckpoints() == 1);
    fixture.request(HttpMethod.POST, "/checkpoint/default/timed/light", token);
    fixture.request(HttpMethod.POST, "/checkpoint/default/timed/light", token);
    Await.until("two queued", () -> fixture.metric("checkpoint.queue.depth") == 2);

    HttpAnswer refused = fixture.post("/checkpoint/default/timed/light", token);
    assertPlain(refused, 429,
        "too many checkpoints waiting (2 queued, the limit is 2); retry later");
    assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 300L);
  }

  @Test
  void notEnoughSpaceIs507AndTheRuntimeIsNeverCalled() {
    fixture.startGateway(fixture.settings()
        .override("diskReserveBytes", "1000Pi", "--disk-reserve-bytes"));
    HttpAnswer answer = fixture.post("/checkpoint/default/demo/app", fixture.adminToken());
    assertThat(answer.status()).isEqualTo(507);
    assertThat(answer.body()).startsWith("not enough space in " + fixture.checkpointDir);
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void aRequestWhoseDeadlinePassesInTheQueueNeverReachesTheRuntime() {
    fixture.startGateway(limits(1, "100Gi", 10));
    String token = fixture.adminToken();
    fixture.request(HttpMethod.POST, "/checkpoint/default/timed/blocker", token);
    Await.until("the blocker to run", () -> fixture.runtime.activeCheckpoints() == 1);

    HttpAnswer expired = fixture.post("/checkpoint/default/timed/light?timeout=1", token);
    assertThat(expired.status()).isEqualTo(500);
    assertThat(expired.body()).matches("checkpointing of default/timed/light failed \\(rpc error: "
        + "code = DeadlineExceeded desc = context deadline exceeded while queued "
        + "\\(waited \\d+\\.\\ds for admission\\)\\)");
    assertThat(fixture.runtime.calls("CheckpointContainer")).isEqualTo(1);
  }
}
